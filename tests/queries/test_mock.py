"""Mock data that looks real and is nobody's: each generator, without a database.

IDs and credit codes are checksum-valid, from the reserved ranges and recognised as synthetic; names look
like Chinese names and agree with the row's sex; townships lie in their districts; categories come only from
what the field declares; numbers stay within the real quantiles; the same seed gives the same rows.
"""

from __future__ import annotations

import random
import re
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pubdata.catalog.schemas import FieldSpec
from pubdata.common import ids, masking, places
from pubdata.demo.pilot import PILOT_RESOURCES, POPULATION
from pubdata.demo.pilot.districts import DISTRICTS
from pubdata.jobs import rules as job_rules
from pubdata.queries import mock
from tests.data import PERSON_FIELDS, credit_code, person_rows, resident_id


def pilot_fields(code: str) -> list[FieldSpec]:
    resource = next(r for r in PILOT_RESOURCES if r.description["code"] == code)
    return [FieldSpec.model_validate(spec) for spec in resource.description["fields"]]


def rows_of(columns: dict[str, list]) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


@pytest.fixture(scope="module")
def people() -> list[dict]:
    # As the real library's profile says: one row per person.
    return rows_of(mock.mock_rows(pilot_fields(POPULATION), {"id_number": mock.Profile(unique=True)}, rows=400, seed=5))


@pytest.fixture(scope="module")
def firms() -> list[dict]:
    return rows_of(
        mock.mock_rows(pilot_fields("CZ-FR-0001"), {"credit_code": mock.Profile(unique=True)}, rows=400, seed=5)
    )


def test_synthetic_resident_ids_are_valid_in_the_reserved_range_and_recognised(people):
    numbers = [row["id_number"] for row in people]
    assert len(set(numbers)) == len(numbers)  # one row per person, as in the real library
    for row in people:
        number = row["id_number"]
        assert ids.is_resident_id(number) and ids.is_synthetic_resident_id(number) and number.startswith("00")
        assert number[2:6] in {code[2:] for code in places.BY_CODE}  # a district's county part
        assert number[6:14] == f"{row['birth_date']:%Y%m%d}"  # the person's own birth date
        assert int(number[16]) % 2 == (1 if row["gender"] == "男" else 0)  # and sex (odd for men)
    # A number anyone can hold (a real province) is never taken for a synthetic one.
    rng = random.Random(1)
    assert not any(ids.is_synthetic_resident_id(resident_id(rng)) for _ in range(200))


def test_synthetic_credit_codes_are_valid_in_the_reserved_range_and_recognised(firms):
    codes = [row["credit_code"] for row in firms]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert ids.is_credit_code(code) and ids.is_synthetic_credit_code(code) and code[0] == "0"
        assert code[2:8] in places.BY_CODE  # a real district's region code
        assert ids.org_code_check_char(code[8:16]) == code[16]  # the organisation code's GB 11714 check
    rng = random.Random(2)
    assert not any(ids.is_synthetic_credit_code(credit_code(rng)) for _ in range(200))
    with pytest.raises(ValueError):
        ids.synthetic_credit_code("3417", "12345678")


def test_organisation_code_check_matches_gb_11714():
    # The example of GB 11714-1997: D2143569 → check character X.
    assert ids.org_code_check_char("D2143569") == "X"


def test_names_look_like_chinese_names_and_agree_with_the_persons_sex(people, firms):
    names = [row["full_name"] for row in people]
    assert all(job_rules.looks_like_person_name(name) for name in names)
    assert len(set(names)) > 300
    assert {row["gender"] for row in people} == {"男", "女"}
    # A firm's legal representative is a person of the same pool: joins on mock IDs find each other.
    library = mock.mock_rows(pilot_fields(POPULATION), {"id_number": mock.Profile(unique=True)}, seed=5)
    everyone = set(library["id_number"])
    representatives = {row["legal_rep_id"] for row in firms}
    assert representatives <= everyone and len(representatives) > 200
    assert all(row["legal_rep_id"][6:10] <= "2007" for row in firms)  # adults
    assert all(name.startswith("池州") and name.endswith("公司") for name in (row["name"] for row in firms))


def test_mobiles_look_like_mobiles(people):
    mobiles = [row["mobile"] for row in people if row["mobile"]]
    assert mobiles and all(job_rules.MOBILE.match(mobile) for mobile in mobiles)


def test_townships_and_addresses_lie_inside_their_district(people, firms):
    for row in people:
        division = places.BY_NAME[row["district"]]
        assert row["township"] in division.townships and row["district_code"] == division.code
    for row in firms:
        rest = row["address"].removeprefix(f"安徽省池州市{row['district']}")
        assert rest != row["address"] and rest.endswith("号")
        assert any(rest.startswith(township) for township in places.BY_NAME[row["district"]].townships)
    # The pilot generator and the mock draw on one table of divisions.
    assert {d.code: d.urban + d.rural for d in DISTRICTS} == {d.code: d.townships for d in places.DIVISIONS}


def test_real_combinations_are_kept_a_township_is_drawn_with_its_district(tmp_path):
    fields = [
        FieldSpec(name="district", label="所属区县", values=tuple(places.BY_NAME)),
        FieldSpec(name="township", label="乡镇（街道）"),
        FieldSpec(name="n", label="人数", type="integer"),
    ]
    real = [(d.name, t, i) for d in places.DIVISIONS for t in d.townships[:3] for i in range(12)]
    path = tmp_path / "real.parquet"
    pq.write_table(
        pa.table({"district": [r[0] for r in real], "township": [r[1] for r in real], "n": [r[2] for r in real]}), path
    )
    mock.write_mock(fields=fields, real_path=path, target=tmp_path / "mock.parquet", rows=300, min_group_size=10)
    made = pq.read_table(tmp_path / "mock.parquet").to_pylist()
    real_pairs = {(r[0], r[1]) for r in real}
    assert {(row["district"], row["township"]) for row in made} <= real_pairs
    assert len({row["township"] for row in made}) == len({r[1] for r in real})
    assert all(0 <= row["n"] <= 11 for row in made)  # within the real quantiles


def test_categories_come_only_from_the_declared_values(tmp_path):
    fields = [
        FieldSpec(name="grade", label="信用等级", values=("A级", "B级", "C级")),
        FieldSpec(name="gender", label="性别", sensitivity="personal", masking="full", description="男 / 女"),
        FieldSpec(name="hukou", label="户口性质", sensitivity="personal", description="城镇 / 农村"),
        FieldSpec(name="kind", label="类型"),
    ]
    # The real column also holds a value nobody declared, often: it is never drawn.
    real = ["A级"] * 50 + ["B级"] * 30 + ["D级"] * 40
    path = tmp_path / "real.parquet"
    kinds = [f"k{i}" for i in range(120)]
    pq.write_table(pa.table({"grade": real, "gender": ["男"] * 120, "hukou": ["城镇"] * 120, "kind": kinds}), path)
    mock.write_mock(fields=fields, real_path=path, target=tmp_path / "mock.parquet", rows=500)
    made = pq.read_table(tmp_path / "mock.parquet").to_pylist()
    grades = [row["grade"] for row in made]
    assert set(grades) <= {"A级", "B级", "C级"} and grades.count("A级") > grades.count("B级") > grades.count("C级")
    assert {row["gender"] for row in made} == {"男", "女"}
    assert {row["hukou"] for row in made} == {"城镇", "农村"}
    toy = re.compile(r"^(类型|信用等级|性别|户口性质)\d+$")  # a label and a number: what mock data must not be
    assert not any(toy.match(str(value)) for row in made for value in row.values())
    assert not {row["kind"] for row in made} & set(kinds)  # rare real values are never copied


def test_dates_and_amounts_fall_in_sensible_ranges(people, firms, tmp_path):
    assert all(mock.BIRTHS[0] <= row["birth_date"] <= mock.BIRTHS[1] for row in people)
    assert all(mock.RECENT[0] <= row["established_date"] <= mock.RECENT[1] for row in firms)
    capitals = sorted(row["registered_capital"] for row in firms)
    assert capitals[0] > 0 and capitals[len(capitals) // 2] < capitals[-1] / 3  # skewed, as amounts are
    # With real values: between their 5th and 95th percentiles, shaped like them.
    fields = [FieldSpec(name="amount", label="金额（元）", type="decimal")]
    rng = random.Random(3)
    real = [round(rng.lognormvariate(8, 1), 2) for _ in range(2000)]
    path = tmp_path / "real.parquet"
    pq.write_table(pa.table({"amount": real}), path)
    mock.write_mock(fields=fields, real_path=path, target=tmp_path / "mock.parquet", rows=1000)
    made = sorted(row["amount"] for row in pq.read_table(tmp_path / "mock.parquet").to_pylist())
    ordered = sorted(real)
    assert ordered[len(ordered) // 20] - 0.01 <= made[0] and made[-1] <= ordered[-len(ordered) // 20] + 0.01
    assert abs(made[len(made) // 2] - ordered[len(ordered) // 2]) < 0.2 * ordered[len(ordered) // 2]


def test_the_same_seed_gives_the_same_rows(tmp_path):
    fields = pilot_fields("CZ-FR-0001")
    assert mock.mock_rows(fields, rows=50, seed=9) == mock.mock_rows(fields, rows=50, seed=9)
    assert mock.mock_rows(fields, rows=50, seed=9) != mock.mock_rows(fields, rows=50, seed=10)
    specs = [FieldSpec.model_validate(spec) for spec in PERSON_FIELDS if spec.get("type", "string") == "string"]
    path = tmp_path / "real.parquet"
    rows = person_rows(200)
    pq.write_table(pa.table({name: [row[name] for row in rows] for name in rows[0]}), path)
    first = mock.write_mock(fields=specs, real_path=path, target=tmp_path / "a.parquet", seed=4)
    second = mock.write_mock(fields=specs, real_path=path, target=tmp_path / "b.parquet", seed=4)
    assert pq.read_table(first).equals(pq.read_table(second))


def test_free_text_is_masked_by_the_column_a_value_came_from_never_by_its_look():
    known = {"001702199309227127": "id_number", "黄梅": "name", "男": "full"}
    text = "0  001702199309227127  黄梅  男  房地产业  001702198001011237"
    shown = masking.mask_known(text, known)
    assert "001702199309227127" not in shown and "0017**********7127" in shown and "黄*" in shown
    # Not a value of a sensitive column: shown as it is, even a checksum-valid (synthetic) ID or a name.
    assert "房地产业" in shown and "001702198001011237" in shown
    assert masking.mask_rows([("房地产业", "王芳", 3)], ["none", "name", "none"]) == [("房地产业", "王*", 3)]


def test_a_birth_date_from_the_pool_is_a_real_date():
    born = date(2000, 2, 29)
    assert ids.is_synthetic_resident_id(ids.synthetic_resident_id("341723", born, 11))


def test_only_values_shared_by_enough_rows_become_categories(tmp_path):
    fields = [FieldSpec(name="status", label="登记状态"), FieldSpec(name="note", label="备注")]
    real = ["存续"] * 60 + ["注销"] * 30 + ["吊销"] * 3  # 吊销: fewer rows than the minimum group size
    path = tmp_path / "real.parquet"
    pq.write_table(pa.table({"status": real, "note": [f"说明{i}" for i in range(len(real))]}), path)
    mock.write_mock(fields=fields, real_path=path, target=tmp_path / "mock.parquet", rows=300, min_group_size=10)
    made = pq.read_table(tmp_path / "mock.parquet").to_pylist()
    assert {row["status"] for row in made} == {"存续", "注销"}
    assert not {row["note"] for row in made} & set(f"说明{i}" for i in range(len(real)))
