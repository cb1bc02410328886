"""The demo's security duties (三(七)): once the operator is authorized, the bureau sets the cycles (a drill each
quarter, a risk assessment each year); the operator holds a drill whose rectification is still not done (so it
shows overdue), and a risk assessment with its evidence whose rectification it records done; the security office
records a finding on the drill. Built once: a demo whose bureau has set cycles keeps what it has."""

from __future__ import annotations

from datetime import datetime, timedelta

from pubdata.authorization import agreements, evaluation, security
from pubdata.common import clock
from pubdata.common.digest import sm3
from pubdata.demo.timeline import Act, Step
from pubdata.demo.usage import principal
from pubdata.platform import Platform

CYCLES = {"drill": 3, "risk_assessment": 12}


def _agreement_id(platform: Platform) -> int:
    bureau = principal(platform, "bureau.admin")
    with platform.read() as session:
        return next(a.id for a in agreements.list_agreements(session, principal=bureau) if a.state != "exited")


def _cycles(platform: Platform, ids: dict[str, int]) -> None:
    for kind, months in CYCLES.items():
        with platform.command() as session:
            security.set_cycle(session, principal=principal(platform, "bureau.admin"), kind=kind, months=months)


def _drill(platform: Platform, ids: dict[str, int]) -> None:
    today = clock.today()
    with platform.command() as session:
        drill = security.record_activity(
            session,
            principal=principal(platform, "operator.admin"),
            agreement_id=_agreement_id(platform),
            kind="drill",
            performed_on=today,
            summary="模拟沙箱作业越权读取数据的应急处置演练：发现、隔离、上报、恢复全流程 42 分钟完成。",
            evidence=[("应急演练方案.pdf", sm3(b"demo drill plan")), ("演练记录.docx", sm3(b"demo drill log"))],
            findings="告警通知到值班人员用时 18 分钟，超过预案要求的 10 分钟。",
            rectification="调整告警通知渠道，增加短信和电话双通道。",
            rectification_due=today + timedelta(days=14),
        )
        session.flush()
        ids["drill"] = drill.id


def _assessment(platform: Platform, ids: dict[str, int]) -> None:
    today = clock.today()
    with platform.command() as session:
        assessment = security.record_activity(
            session,
            principal=principal(platform, "operator.admin"),
            agreement_id=_agreement_id(platform),
            kind="risk_assessment",
            performed_on=today,
            summary="年度数据安全风险评估：覆盖数据接入、沙箱作业、隐私计算和结果交付环节。",
            evidence=[("风险评估报告.pdf", sm3(b"demo risk assessment"))],
            findings="两个合伙人账号未启用双因素认证。",
            rectification="合伙人账号全部启用双因素认证。",
            rectification_due=today + timedelta(days=10),
        )
        session.flush()
        ids["assessment"] = assessment.id


def _rectified(platform: Platform, ids: dict[str, int]) -> None:
    with platform.command() as session:
        security.record_rectified(
            session,
            principal=principal(platform, "operator.admin"),
            activity_id=ids["assessment"],
            note="合伙人账号已全部启用双因素认证，并纳入上线检查清单。",
        )


def _finding(platform: Platform, ids: dict[str, int]) -> None:
    with platform.command() as session:
        evaluation.record_finding(
            session,
            principal=principal(platform, "security.admin"),
            kind="activity",
            item_id=ids["drill"],
            finding="演练流程完整；请在整改期限内完成告警通道改造并报送结果。",
        )


def steps(platform: Platform, *, authorized: datetime) -> list[Step]:
    """The story from the operator's authorization on; none when the bureau has set cycles already."""
    with platform.read() as session:
        if any(months is not None for months in security.cycles(session).values()):
            return []
    day = authorized.astimezone(clock.SHANGHAI).date()
    acts: list[tuple[int, int, Act]] = [
        (0, 17, _cycles),
        (5, 10, _drill),
        (7, 15, _finding),
        (10, 10, _assessment),
        (20, 16, _rectified),
    ]
    return [Step(day + timedelta(days=offset), hour, act) for offset, hour, act in acts]
