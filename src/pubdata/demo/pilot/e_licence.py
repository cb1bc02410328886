"""The e-licence library (电子证照): each enterprise's business licence and the permits its trade needs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from pubdata.demo.pilot.common import AS_OF, table
from pubdata.demo.pilot.descriptions import E_LICENCES
from pubdata.demo.pilot.legal_entity import Enterprise


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _licences(rng: random.Random, e: Enterprise) -> Iterator[tuple[str, str, str, date, date | None]]:
    """One enterprise's licences: (type, number prefix, issuing authority, issue date, expiry date or None)."""
    end = e.closed or AS_OF

    def between(start: date) -> date:
        return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))

    # 营业期限 runs from establishment: mostly 长期; a fixed term has not yet run out (else the firm would be closed).
    term = (
        None if rng.random() < 0.7 else next((y for y in (20, 30, 50) if _years_after(e.established, y) >= AS_OF), None)
    )
    reissued = between(e.established) if rng.random() < 0.35 else e.established
    yield "营业执照", "YZ", e.authority, reissued, _years_after(e.established, term) if term else None
    recent = max(e.established, AS_OF - timedelta(days=7 * 365))
    if recent > end:
        return

    def permit(kind: str, prefix: str, authority: str, years: int | None) -> tuple[str, str, str, date, date | None]:
        """A permit issued in the last seven years, valid for ``years`` (None: no expiry)."""
        issued = between(recent)
        return kind, prefix, authority, issued, _years_after(issued, years) if years else None

    section = e.section[0]
    if section == "H" and rng.random() < 0.85 or section == "F" and rng.random() < 0.35 or rng.random() < 0.02:
        yield permit("食品经营许可证", "JY", e.district.market_authority, 5)
    if section == "C" and "食品" in e.name and rng.random() < 0.8:
        yield permit("食品生产许可证", "SC", "池州市市场监督管理局", 5)
    if section == "K" or section == "E" and rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            yield permit("建筑工程施工许可证", "SG", e.district.local("住房和城乡建设局"), None)
    if section == "E" and rng.random() < 0.7:
        yield permit("安全生产许可证", "AQ", "安徽省住房和城乡建设厅", 3)
    if section == "B" and rng.random() < 0.9:
        yield permit("安全生产许可证", "AQ", "安徽省应急管理厅", 3)
    if section in "BCD" and rng.random() < 0.35:
        yield permit("排污许可证", "PW", "池州市生态环境局", 5)
    if section == "G" and rng.random() < 0.8:
        yield permit("道路运输经营许可证", "DY", e.district.local("交通运输局"), 6)


def write_licences(path: Path, *, seed: int, enterprises: list[Enterprise]) -> None:
    rng = random.Random(f"{seed}/licences")
    serials: dict[str, int] = {}
    with table(path, E_LICENCES) as write:
        for e in enterprises:
            closed_status = {"注销": "已注销", "吊销": "已吊销"}.get(e.status)
            for kind, prefix, authority, issued, expiry in _licences(rng, e):
                serials[prefix] = serials.get(prefix, 0) + 1
                number = f"{prefix}{e.district.code}{issued.year}{serials[prefix]:06d}"
                status = closed_status or ("已过期" if expiry and expiry < AS_OF else "有效")
                write(
                    (
                        number,
                        kind,
                        e.name,
                        e.code,
                        issued.isoformat(),
                        expiry.isoformat() if expiry else "",
                        authority,
                        status,
                    )
                )
