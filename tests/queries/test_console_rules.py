"""The console's pure parts: which limit is near or reached, and which samples a contract's terms allow."""

from __future__ import annotations

from pubdata.contracts.schemas import Terms
from pubdata.queries import console
from tests.data import PERSON_FIELDS

BASE = {
    "resources": ["CZ-RK-0001", "CZ-CG-0001"],
    "purpose": "industry",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": 10,
    "max_rows": 100,
    "dimensions": ["district"],
    "measures": ["household_size"],
    "join_columns": ["id_number"],
}
DP = {**BASE, "output_rule": "dp", "epsilon": 1.0, "epsilon_per_query": 0.25, "delta": 1e-6}


class Spec:
    def __init__(self, **fields):
        self.name, self.label, self.type = fields["name"], fields["label"], fields.get("type", "string")
        self.format, self.description = fields.get("format"), ""
        self.sensitivity = fields.get("sensitivity", "none")


def tables(terms: Terms) -> list[console.TableHelp]:
    specs = [Spec(**f) for f in PERSON_FIELDS]
    return [
        console.table_help(name, code, title, specs, terms, specs + specs)
        for name, code, title in (("cz_rk_0001", "CZ-RK-0001", "人口"), ("cz_cg_0001", "CZ-CG-0001", "城管"))
    ]


def test_a_limit_is_near_from_80_percent_and_reached_at_its_end():
    found = {limit.key: limit.state for limit in console.limits(calls=(7, 10), rows=(8, 10), epsilon=(1.0, 1.0))}
    assert found == {"calls": "ok", "rows": "near", "epsilon": "reached"}
    assert [limit.key for limit in console.limits(calls=(10, 10), rows=(0, 10), epsilon=None)] == ["calls", "rows"]
    assert console.limits(calls=(10, 10), rows=(0, 10), epsilon=None)[0].state == "reached"
    assert console.limits(calls=(0, 1), rows=(0, 1), epsilon=(0.9999995, 1.0))[2].state == "reached"  # < 1 micro-ε


def test_samples_follow_the_terms_roles_and_under_dp_only_bounded_measures_and_keyed_joins():
    terms = Terms.model_validate(BASE)
    sqls = [s.sql for s in console.samples(tables(terms), terms)]
    assert sqls[0].startswith("SELECT district, count(*)") and "avg(household_size)" in sqls[1]
    assert "JOIN cz_cg_0001 AS b ON a.id_number = b.id_number" in sqls[2] and "sum(b.household_size)" in sqls[2]

    dp = Terms.model_validate(DP)  # no bounds, no keyed table: a count only
    assert [s.key for s in console.samples(tables(dp), dp)] == ["console.sample_count"]
    bounded = Terms.model_validate({**DP, "bounds": {"household_size": [1, 10]}})
    keyed = frozenset({("cz_cg_0001", "id_number")})
    found = console.samples(tables(bounded), bounded, keyed=keyed)
    assert [s.key for s in found] == ["console.sample_count", "console.sample_average", "console.sample_join"]

    none = Terms.model_validate({**BASE, "dimensions": [], "join_columns": []})
    assert [s.key for s in console.samples(tables(none), none)] == ["console.sample_total"]


def test_an_export_never_turns_a_value_into_a_spreadsheet_formula():
    import io
    import zipfile

    evil = '=HYPERLINK("http://example.invalid","点我")'
    rows = [[evil, 3], ["+1", 4], ["贵池区", 5]]
    text = console.csv_bytes(["=区县", "记录数"], rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'=区县" in text and "'+1" in text and "\r\n贵池区,5" in text
    sheet = zipfile.ZipFile(io.BytesIO(console.xlsx_bytes(["区县", "记录数"], rows, title="答案"))).read(
        "xl/worksheets/sheet1.xml"
    )
    assert b"<f>" not in sheet and b"HYPERLINK" in sheet


def test_kept_answers_are_bounded_per_user_and_in_cells_and_one_user_cannot_push_out_the_others(monkeypatch):
    import pytest

    from pubdata.common.errors import Refused
    from pubdata.identity.access import Principal
    from pubdata.queries import exports

    monkeypatch.setattr(exports, "_KEPT", type(exports._KEPT)())
    monkeypatch.setattr(exports, "MAX_CELLS", 1_000)
    bank = Principal(1, 1, "consumer", "admin", "bank.admin", "银行")
    city = Principal(2, 2, "consumer", "admin", "city.admin", "城管局")
    theirs = exports.keep(city, contract_id=2, headers=["区县", "人数"], rows=[["贵池区", 12]])
    mine = [exports.keep(bank, contract_id=1, headers=["区县"], rows=[["东至县"]]) for _ in range(30)]
    assert exports.taken(city, theirs).rows == (("贵池区", 12),)  # still there
    with pytest.raises(Refused):
        exports.taken(bank, mine[0])  # the bank's oldest went first
    assert exports.taken(bank, mine[-1]).rows == (("东至县",),)
    with pytest.raises(Refused):
        exports.taken(bank, theirs)  # never another user's
    big = exports.keep(bank, contract_id=1, headers=["a", "b"], rows=[[i, i] for i in range(600)])
    assert exports.taken(bank, big).rows[0] == (0, 0)  # the newest is always kept
    with pytest.raises(Refused):
        exports.taken(city, theirs)  # memory is bounded: older answers made room
