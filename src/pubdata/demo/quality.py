"""The demo's data-quality story (三(三)3), played in time with the rest of the city:

- the bank files a ticket on the last working day before the latest long holiday of the story (National Day when
  the demo is built in November or December), which the police answer on time after it and the bank confirms;
- the operator files one, the police answer, the operator reopens it and the police answer again (waiting for
  the operator to confirm);
- the bank files one against the tax bureau's data, answered late, then confirmed;
- the city's urban management bureau files a staleness ticket on the statistics bureau's monthly indicators that
  nobody answers: the scheduler flags it overdue;
- the bureau files one today, open; when today is within five working days of a year the calendar does not know
  yet, its deadline is provisional;
- the bureau sets the contribution score's weights (version 1) as the first ticket is filed.

Each ticket is filed at its moment, so the ledger reads in time order. Built once: a demo that has tickets keeps
them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pubdata import scheduler
from pubdata.calendar import service as calendar
from pubdata.calendar.rules import WorkCalendar
from pubdata.common import clock
from pubdata.demo.timeline import Act, Step
from pubdata.demo.usage import principal
from pubdata.platform import Platform
from pubdata.quality import scores
from pubdata.quality import service as quality
from pubdata.registration import rules as registration_rules

LONG_HOLIDAY = 3  # days off in a row that make a holiday worth filing across
ANSWER_DAYS = 5


def _workday_on_or_after(days: WorkCalendar, day: date) -> date:
    while not days.is_workday(day):
        day += timedelta(days=1)
    return day


def before_long_holiday(days: WorkCalendar, first: date, last: date) -> date:
    """The last working day before the latest run of ``LONG_HOLIDAY`` or more days off with a weekday among them,
    between ``first`` and ``last``; ``first``'s working day when there is none."""
    day, found = last, None
    while day > first and found is None:
        off = 0
        while not days.is_workday(day + timedelta(days=off + 1)) and off < 14:
            off += 1
        weekday_off = any((day + timedelta(days=n)).weekday() < 5 for n in range(1, off + 1))
        if days.is_workday(day) and off >= LONG_HOLIDAY and weekday_off:
            found = day
        day -= timedelta(days=1)
    return found or _workday_on_or_after(days, first)


def _file(who: str, key: str, **ticket: object) -> Act:
    def act(platform: Platform, ids: dict[str, int]) -> None:
        with platform.command() as session:
            filed = quality.file_ticket(session, principal=principal(platform, who), **ticket)  # type: ignore[arg-type]
            session.flush()
            ids[key] = filed.id

    return act


def _answer(department: str, key: str, answer: str) -> Act:
    def act(platform: Platform, ids: dict[str, int]) -> None:
        with platform.command() as session:
            quality.answer_ticket(session, principal=principal(platform, department), ticket_id=ids[key], answer=answer)

    return act


def _confirm(who: str, key: str) -> Act:
    def act(platform: Platform, ids: dict[str, int]) -> None:
        with platform.command() as session:
            quality.confirm_ticket(session, principal=principal(platform, who), ticket_id=ids[key])

    return act


def _reopen(who: str, key: str, reason: str) -> Act:
    def act(platform: Platform, ids: dict[str, int]) -> None:
        with platform.command() as session:
            quality.reopen_ticket(session, principal=principal(platform, who), ticket_id=ids[key], reason=reason)

    return act


def _weights(platform: Platform, ids: dict[str, int]) -> None:
    """The bureau sets the contribution score's weights for the year (version 1)."""
    weights = {"registered": 15, "current": 25, "loads": 10, "on_time": 25, "products": 15, "calls": 10}
    with platform.command() as session:
        scores.set_weights(
            session,
            principal=principal(platform, "bureau.admin"),
            weights=weights,
            total=100,
            note="年度贡献评价：突出按时更新和质量问题按期答复。",
        )


def _tick(platform: Platform, ids: dict[str, int]) -> None:
    scheduler.tick(platform)


def plan(days: WorkCalendar, *, first: date, last: date) -> list[Step]:
    """The story's steps between ``first`` (the resources registered) and ``last`` (before the products are
    listed), in time order."""
    holiday = before_long_holiday(days, first, last - timedelta(days=21))
    across = days.add_working_days(holiday, ANSWER_DAYS).due
    after_holiday = _workday_on_or_after(days, holiday + timedelta(days=1))
    reopened = _workday_on_or_after(days, after_holiday + timedelta(days=2))
    late = _workday_on_or_after(days, reopened + timedelta(days=1))
    late_due = days.add_working_days(late, ANSWER_DAYS).due
    stale = _workday_on_or_after(days, last - timedelta(days=12))
    return [
        Step(holiday, 9, _tick),  # the resources whose notice ended are registered before anyone files
        Step(holiday, 11, _weights),
        Step(holiday, 10, _file("bank.admin", "holiday", **NATIONAL_DAY)),
        Step(days.add_working_days(holiday, 2).due, 15, _answer("police.admin", "holiday", HOLIDAY_ANSWER)),
        Step(min(across, last), 11, _confirm("bank.admin", "holiday")),
        Step(reopened, 10, _file("operator.admin", "reopened", **DISTRICTS)),
        Step(days.add_working_days(reopened, 1).due, 16, _answer("police.admin", "reopened", FIRST_ANSWER)),
        Step(days.add_working_days(reopened, 2).due, 9, _reopen("operator.admin", "reopened", REOPEN_REASON)),
        Step(days.add_working_days(reopened, 4).due, 14, _answer("police.admin", "reopened", SECOND_ANSWER)),
        Step(late, 10, _file("bank.admin", "late", **TAX)),
        Step(days.add_working_days(late_due, 2).due, 17, _answer("tax.admin", "late", LATE_ANSWER)),
        Step(days.add_working_days(late_due, 3).due, 10, _confirm("bank.admin", "late")),
        Step(stale, 10, _file("city.admin", "overdue", **STALE)),
    ]


NATIONAL_DAY = {
    "resource_code": "CZ-RK-0001",
    "version": None,
    "kind": "error",
    "rows": "118, 2031-2034",
    "columns": [4],
    "description": "以上各行的出生日期晚于登记日期，疑为录入时年份与月份颠倒。",
}
HOLIDAY_ANSWER = "已逐条核对户籍原始登记，更正出生日期 5 处，将随下一版本一并导入。"
DISTRICTS = {
    "resource_code": "CZ-RK-0001",
    "version": None,
    "kind": "inconsistency",
    "rows": "",
    "columns": [7],
    "description": "所属区县字段中“贵池区”与“池州市贵池区”两种写法并存，与空间地理网格的区县名称不一致。",
}
FIRST_ANSWER = "经核对，两种写法均为历史登记口径，不影响统计。"
REOPEN_REASON = "按区县汇总时两种写法被算作两个区县，请统一为区县标准名称。"
SECOND_ANSWER = "已统一为区县标准名称（GB/T 2260），下一版本起生效。"
TAX = {
    "resource_code": "CZ-XY-0001",
    "version": None,
    "kind": "omission",
    "rows": "",
    "columns": [2],
    "description": "部分企业最近一个月的申报记录缺失，纳税月份不连续。",
}
LATE_ANSWER = "因申报期延长，当月数据补录完成后已重新导入。"
STALE = {
    "resource_code": "CZ-JJ-0001",
    "version": None,
    "kind": "staleness",
    "rows": "",
    "columns": [1],
    "description": "资源目录声明按月更新，但最近一期指标仍为两个月前的数据。",
}
TODAY = {
    "resource_code": "CZ-RK-0001",
    "version": None,
    "kind": "error",
    "rows": "57",
    "columns": [3],
    "description": "该行性别代码为 9，不在代码表范围内。",
}


def steps(platform: Platform, *, start: datetime, last: datetime) -> list[Step]:
    """The story's steps from the end of the resources' notice to ``last``; none when the demo has tickets."""
    with platform.read() as session:
        if quality.ticket_count(session) > 0:
            return []
        days = calendar.current(session)
    begun = start.astimezone(clock.SHANGHAI).date()
    # Filing waits for the resources' public notice to end (and the scheduler to register them).
    first = days.add_working_days(begun, registration_rules.NOTICE_WORKING_DAYS + 1).due
    return plan(days, first=first, last=last.astimezone(clock.SHANGHAI).date())


def today(platform: Platform) -> int:
    """The bureau's ticket of today, open (its deadline provisional when it reaches a year not yet known)."""
    bureau = principal(platform, "bureau.admin")
    with platform.read() as session:
        if quality.ticket_count(session, filer_id=bureau.organisation_id) > 0:
            return 0
    _file("bureau.admin", "today", **TODAY)(platform, {})
    return 1


def accounts_note(platform: Platform) -> dict[str, object]:
    """What demo-accounts.json says of the quality story: where to look, and where the provisional deadline is."""
    bureau = principal(platform, "bureau.admin")
    with platform.read() as session:
        rows = quality.tickets_for(session, principal=bureau)
    provisional = [f"/quality/{row.ticket.id}" for row in rows if row.running.provisional]
    return {
        "tickets": "/quality (bureau.admin: every ticket; police.admin, tax.admin, stats.admin: to answer)",
        "scores": "/scores (bureau.admin; each department its own)",
        "calendar": "/calendar?year=2027&filed=2026-12-28&working_days=5 (a provisional deadline, anyone)",
        "provisional": provisional
        or "the demo files no ticket in the future: build it anew with `make clean-demo demo NOW=2026-12-28` "
        "(or `pubdata demo --now 2026-12-28`, then `pubdata serve --now 2026-12-28`) and the bureau's ticket of "
        "that day runs into 2027, provisional, until a 2027 table is loaded on /calendar",
    }
