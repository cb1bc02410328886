"""The Chizhou pilot data set: valid descriptions, files the loader accepts, joins that hold, a deterministic
generator whose scale knob is linear. No database needed."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from pubdata.catalog.loading import check_and_write
from pubdata.catalog.schemas import ResourceIn
from pubdata.common.ids import is_credit_code, is_resident_id
from pubdata.demo import ORGANISATIONS, pilot
from pubdata.ledger.merkle import Hasher

SMALL = 0.01
CODES = [resource.description["code"] for resource in pilot.PILOT_RESOURCES]
CREDIT_THEME = [
    pilot.TAX_PAYMENTS,
    pilot.SOCIAL_INSURANCE,
    pilot.UTILITY_PAYMENTS,
    pilot.PENALTIES,
    pilot.TAX_CREDIT_RATINGS,
]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return pilot.write_sources(tmp_path_factory.mktemp("pilot"), scale=SMALL)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def description(code: str) -> ResourceIn:
    return ResourceIn.model_validate(
        next(r.description for r in pilot.PILOT_RESOURCES if r.description["code"] == code)
    )


# --- descriptions ----------------------------------------------------------------------------------------


def test_every_description_is_a_valid_resource_with_a_unique_code():
    for resource in pilot.PILOT_RESOURCES:
        ResourceIn.model_validate(resource.description)
    assert len(CODES) == len(set(CODES)) == 10


def test_the_pilot_covers_the_five_base_libraries_and_a_credit_theme():
    libraries = Counter(resource.description["base_library"] for resource in pilot.PILOT_RESOURCES)
    assert {"population", "legal_entity", "e_licence", "spatial", "macro_economy"} <= set(libraries)
    assert libraries["credit"] >= 5


def test_every_provider_is_a_demo_provider_or_an_extra_one():
    demo_providers = {org.name for org in ORGANISATIONS if org.kind == "provider"}
    extra_names = {name for name, _ in pilot.EXTRA_PROVIDERS}
    assert {resource.provider for resource in pilot.PILOT_RESOURCES} <= demo_providers | extra_names
    # An extra provider must not clash with another demo organisation (it may already have been added as a provider).
    for name, login in pilot.EXTRA_PROVIDERS:
        for org in ORGANISATIONS:
            if org.name == name or org.login == login:
                assert (org.kind, org.name, org.login) == ("provider", name, login)
    assert len({login for _, login in pilot.EXTRA_PROVIDERS}) == len(pilot.EXTRA_PROVIDERS)


def test_personal_columns_are_declared_so():
    population = {spec.name: spec for spec in description(pilot.POPULATION).fields}
    assert (
        population["id_number"].sensitivity == "sensitive"
        and population["id_number"].pipl_category == "identity_document"
    )
    assert population["full_name"].sensitivity == "personal" and population["mobile"].format == "mobile"
    entities = {spec.name: spec for spec in description(pilot.LEGAL_ENTITIES).fields}
    assert entities["legal_rep_name"].format == "person_name" and entities["legal_rep_name"].sensitivity == "personal"
    assert entities["legal_rep_id"].sensitivity == "sensitive"


# --- the files load ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_each_file_loads_cleanly(sources, tmp_path, code):
    fields = description(code).fields
    result = check_and_write(
        source_format="csv", fields=fields, work_dir=tmp_path / "domain", path=sources[code], hasher=Hasher("sm3")
    )
    assert result.ok, result.problems
    assert not result.lookalikes
    assert result.row_count == len(read(sources[code])) > 0


def test_headers_are_the_field_names(sources):
    for code in CODES:
        with sources[code].open(encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n").split(",")
        assert header == [spec.name for spec in description(code).fields]


# --- the data hangs together ---------------------------------------------------------------------------


def test_resident_ids_agree_with_birth_date_gender_and_district(sources):
    people = read(sources[pilot.POPULATION])
    assert len({p["id_number"] for p in people}) == len(people)
    for person in people:
        number = person["id_number"]
        assert is_resident_id(number)
        assert number[:6] == person["district_code"] in {"341702", "341721", "341722", "341723"}
        assert f"{number[6:10]}-{number[10:12]}-{number[12:14]}" == person["birth_date"] <= pilot.AS_OF.isoformat()
        assert person["gender"] == ("男" if int(number[16]) % 2 else "女")


def test_enterprises_have_valid_unique_credit_codes_and_their_representatives_are_residents(sources):
    enterprises = read(sources[pilot.LEGAL_ENTITIES])
    people = {p["id_number"]: p for p in read(sources[pilot.POPULATION])}
    assert len({e["credit_code"] for e in enterprises}) == len(enterprises)
    for enterprise in enterprises:
        assert is_credit_code(enterprise["credit_code"])
        representative = people[enterprise["legal_rep_id"]]
        assert representative["full_name"] == enterprise["legal_rep_name"]
        assert int(enterprise["established_date"][:4]) - int(representative["birth_date"][:4]) >= 18


def test_credit_records_and_licences_name_registered_enterprises(sources):
    registered = {e["credit_code"] for e in read(sources[pilot.LEGAL_ENTITIES])}
    for code in CREDIT_THEME:
        records = read(sources[code])
        assert records, code
        assert {r["credit_code"] for r in records} <= registered, code
    licences = read(sources[pilot.E_LICENCES])
    assert {
        licence["holder_credit_code"] for licence in licences
    } == registered  # every enterprise has a business licence


def test_the_grid_counts_the_residents_of_each_cell(sources):
    cells = read(sources[pilot.SPATIAL_GRID])
    people = read(sources[pilot.POPULATION])
    living = Counter(p["grid_cell"] for p in people)
    assert {c["cell_id"]: int(c["population"]) for c in cells if int(c["population"])} == dict(living)
    for cell in cells:
        assert 116.9 <= float(cell["centroid_lon"]) <= 118.1 and 29.5 <= float(cell["centroid_lat"]) <= 30.9
    area = sum(float(c["area_km2"]) for c in cells)
    assert 7000 < area < 9500  # Chizhou is about 8,400 km²


def test_macro_series_run_monthly_from_2021_for_the_city_and_its_four_districts(sources):
    rows = read(sources[pilot.MACRO_ECONOMY])
    assert Counter(r["area_name"] for r in rows) == {
        name: 70 for name in ("池州市", "贵池区", "东至县", "石台县", "青阳县")
    }
    assert min(r["stat_month"] for r in rows) == "2021-01" and max(r["stat_month"] for r in rows) == "2026-10"
    month = [r for r in rows if r["stat_month"] == "2024-06"]
    city = next(r for r in month if r["area_code"] == "341700")
    assert float(city["gdp"]) == pytest.approx(
        sum(float(r["gdp"]) for r in month if r["area_code"] != "341700"), abs=0.05
    )


# --- the generator -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data(tmp_path):
    first = pilot.write_sources(tmp_path / "a", scale=0.005, seed=7)
    second = pilot.write_sources(tmp_path / "b", scale=0.005, seed=7)
    other = pilot.write_sources(tmp_path / "c", scale=0.005, seed=8)
    assert set(first) == set(CODES)
    for code in CODES:
        assert first[code].read_bytes() == second[code].read_bytes(), code
    assert first[pilot.POPULATION].read_bytes() != other[pilot.POPULATION].read_bytes()
    assert first[pilot.LEGAL_ENTITIES].read_bytes() != other[pilot.LEGAL_ENTITIES].read_bytes()


def test_the_scale_knob_is_linear_in_persons_and_enterprises(tmp_path):
    small = pilot.write_sources(tmp_path / "small", scale=0.004)
    large = pilot.write_sources(tmp_path / "large", scale=0.012)
    assert len(read(small[pilot.POPULATION])) == 400 and len(read(large[pilot.POPULATION])) == 1200
    assert len(read(small[pilot.LEGAL_ENTITIES])) == 40 and len(read(large[pilot.LEGAL_ENTITIES])) == 120
    assert len(read(large[pilot.TAX_PAYMENTS])) > 2 * len(read(small[pilot.TAX_PAYMENTS]))
    # scale 1 is about 100,000 persons and scale 10 at least a million, by the same rule the files follow.
    assert pilot.person_count(1) == 100_000 and pilot.enterprise_count(1) == 10_000
    assert pilot.person_count(10) >= 1_000_000


def test_a_scale_that_is_not_positive_is_refused(tmp_path):
    with pytest.raises(ValueError):
        pilot.write_sources(tmp_path, scale=0)
