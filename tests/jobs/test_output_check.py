"""The output check against disguised identifiers (leak class 8), one test per channel.

Each test writes what an attack job would leave in its workspace — real resident IDs, names and mobiles of
the test data, disguised — and runs the check the worker runs, with the protected values the worker reads
from the real Parquet file with DuckDB. The whole job path (bubblewrap, the ledger, both databases) is in
``test_sealed_jobs.py``; here the channels are many and each must be caught on its own.
"""

from __future__ import annotations

import base64
import gzip
import json
import resource
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pubdata.jobs import outputs, rules, worker
from pubdata.jobs.schemas import DeclaredOutput
from tests.data import person_rows

PEOPLE = person_rows(50)
IDS = [row["id_number"] for row in PEOPLE]
NAMES = [row["full_name"] for row in PEOPLE]
PHONES = [row["phone"] for row in PEOPLE]
FULL_WIDTH = str.maketrans({digit: chr(ord(digit) + 0xFEE0) for digit in "0123456789"})


@pytest.fixture(scope="module")
def protected(tmp_path_factory) -> rules.Protected:
    """The real data's identifiers, as the worker reads them: from the Parquet file, with DuckDB."""
    folder = tmp_path_factory.mktemp("domain")
    source = folder / "people.csv"
    source.write_text("\n".join(["id_number,full_name,phone", *(",".join(row[:3]) for row in _rows())]) + "\n")
    table = folder / "people.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}', all_varchar=true)) TO '{table}' (FORMAT parquet)")
    return worker.protected_values(
        ((table, "id_number", "resident_id"), (table, "full_name", "person_name"), (table, "phone", "mobile"))
    )


def _rows() -> list[tuple[str, str, str]]:
    return [(row["id_number"], row["full_name"], row["phone"]) for row in PEOPLE]


def table(*columns: str, fmt: str = "csv", count: str | None = None, max_rows: int = 100_000) -> DeclaredOutput:
    return DeclaredOutput.model_validate(
        {
            "format": fmt,
            "columns": [{"name": name.split(":")[0], "type": name.split(":")[1]} for name in columns],
            "count_column": count,
            "max_rows": max_rows,
        }
    )


TEXT = DeclaredOutput(format="txt")


def check(tmp_path: Path, protected, declared, files: dict[str, bytes | str], log: str = "done\n"):
    space = outputs.Workspace(tmp_path / "job")
    space.output.mkdir(parents=True)
    for name, content in files.items():
        path = space.output / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    space.log.write_text(log, encoding="utf-8")
    context = outputs.Context(protected, frozenset({"id_number", "full_name", "phone"}), 10)
    manifest, passed = outputs.check_outputs(space, declared, limits=rules.PLATFORM_LIMITS, context=context)
    return manifest, passed


def kinds(manifest) -> set[str]:
    return {kind for finding in manifest["findings"] for kind in finding["kinds"]}


def assert_no_raw_value(manifest) -> None:
    """What the reviewers get (findings and previews) never holds a raw identifier."""
    text = json.dumps(manifest, ensure_ascii=False)
    assert not any(value in text for value in [*IDS, *NAMES, *PHONES, *(v[:17] for v in IDS)])


def csv_of(header: str, cells: list[str]) -> str:
    return header + "\n" + "\n".join(cells) + "\n"


DISGUISED_IDS = {
    "reversed": lambda value: value[::-1],
    "base64": lambda value: base64.b64encode(value.encode()).decode(),
    "hex": lambda value: value.encode().hex(),
    "prefixed and suffixed": lambda value: f"ID{value}#ok",
    "full-width digits": lambda value: value.translate(FULL_WIDTH),
    "17-digit prefix": lambda value: value[:17],
    "dashes and spaces": lambda value: "-".join(value[i : i + 3] for i in range(0, 18, 3)).replace("-", " ", 2),
    "gzip in base64": lambda value: base64.b64encode(gzip.compress(value.encode())).decode(),
    "base64 of reversed hex": lambda value: base64.b64encode(value[::-1].encode().hex().encode()).decode(),
}


@pytest.mark.parametrize("disguise", list(DISGUISED_IDS))
def test_a_disguised_resident_id_in_a_cell_is_found_and_its_column_masked(tmp_path, protected, disguise):
    cells = [f"贵池区,{DISGUISED_IDS[disguise](value)}" for value in IDS[:12]]
    manifest, passed = check(
        tmp_path, protected, [table("district:string", "code:string")], {"output-1.csv": csv_of("district,code", cells)}
    )
    assert not passed and "resident_id" in kinds(manifest), manifest["findings"]
    (preview,) = manifest["previews"]
    assert [row[1] for row in preview["rows"]] == [outputs.MASK] * 12  # the column is masked whole
    assert [row[0] for row in preview["rows"]] == ["贵池区"] * 12  # and the innocent one shown
    assert_no_raw_value(manifest)


def test_an_id_split_across_adjacent_columns_is_found(tmp_path, protected):
    cells = [f"{value[:6]},{value[6:14]},{value[14:]}" for value in IDS[:12]]
    manifest, passed = check(
        tmp_path,
        protected,
        [table("region:string", "born:string", "tail:string")],
        {"output-1.csv": csv_of("region,born,tail", cells)},
    )
    assert not passed and "resident_id" in kinds(manifest)
    assert all(cell == outputs.MASK for row in manifest["previews"][0]["rows"] for cell in row)
    assert_no_raw_value(manifest)


def test_an_integer_column_holding_ids_is_found(tmp_path, protected):
    numeric = [value for value in IDS if value[-1] != "X"][:10]
    cells = [f"{value[:17]},{index}" for index, value in enumerate(numeric)]
    manifest, passed = check(
        tmp_path, protected, [table("code:integer", "k:integer")], {"output-1.csv": csv_of("code,k", cells)}
    )
    assert not passed and "resident_id" in kinds(manifest)
    assert manifest["previews"][0]["columns"][0]["min"] is None  # no min/max of a flagged column


@pytest.mark.parametrize(
    "disguise",
    ["plain", "reversed", "spaced", "base64", "inside a sentence", "split over two columns"],
)
def test_a_real_name_is_found_whatever_its_disguise(tmp_path, protected, disguise):
    made = {
        "plain": lambda name: f"{name},1",
        "reversed": lambda name: f"{name[::-1]},1",
        "spaced": lambda name: f"{' '.join(name)},1",
        "base64": lambda name: f"{base64.b64encode(name.encode()).decode()},1",
        "inside a sentence": lambda name: f"客户{name}已开户,1",
        "split over two columns": lambda name: f"{name[0]},{name[1:]}",
    }[disguise]
    manifest, passed = check(
        tmp_path,
        protected,
        [table("label:string", "extra:string")],
        {"output-1.csv": csv_of("label,extra", [made(name) for name in NAMES[:3]])},
    )
    assert not passed and "name" in kinds(manifest), manifest["findings"]
    assert_no_raw_value(manifest)


def test_a_mobile_with_separators_in_free_text_is_found_and_the_line_masked(tmp_path, protected):
    text = "summary line\n" + "".join(f"联系 {p[:3]}-{p[3:7]}-{p[7:]}\n" for p in PHONES[:3])
    manifest, passed = check(tmp_path, protected, [TEXT], {"output-1.txt": text})
    assert not passed and kinds(manifest) == {"mobile"}
    lines = manifest["previews"][0]["lines"]
    assert lines[0] == "summary line" and all(line.startswith(outputs.MASK) for line in lines[1:])
    assert_no_raw_value(manifest)


def test_identifiers_in_parquet_key_value_and_field_metadata_are_found(tmp_path, protected):
    clean = pa.table({"district": ["贵池区"] * 3, "n": [12, 15, 20]})
    for metadata_at in ("file", "field"):
        folder = tmp_path / metadata_at
        if metadata_at == "file":
            data = clean.replace_schema_metadata({"carried": json.dumps(IDS)})
        else:
            field = pa.field("n", pa.int64(), metadata={"names": ",".join(NAMES)})
            data = pa.table({"district": clean["district"], "n": clean["n"]}, schema=pa.schema([clean.field(0), field]))
        folder.mkdir()
        pq.write_table(data, folder / "output-1.parquet")
        manifest, passed = check(
            folder,
            protected,
            [table("district:string", "n:integer", fmt="parquet", count="n")],
            {"output-1.parquet": (folder / "output-1.parquet").read_bytes()},
        )
        assert not passed and [f["what"] for f in manifest["findings"]] == ["metadata"], manifest["findings"]
        assert_no_raw_value(manifest)


def test_an_upper_case_suffix_or_any_undeclared_file_fails_and_is_still_read(tmp_path, protected):
    files = {"output-1.csv": csv_of("n", ["12"]), "OUTPUT-1.CSV": csv_of("id", IDS[:5])}
    manifest, passed = check(tmp_path, protected, [table("n:integer", count="n")], files)
    assert not passed
    assert ("OUTPUT-1.CSV", "undeclared-file") in [(f["file"], f["what"]) for f in manifest["findings"]]
    assert "resident_id" in kinds(manifest)  # what was in it is named (by kind) for the reviewers
    assert [item["name"] for item in manifest["files"]] == ["output-1.csv"]  # only declared files can be released


def test_a_file_named_with_an_id_is_masked_in_the_findings(tmp_path, protected):
    manifest, passed = check(tmp_path, protected, [TEXT], {"output-1.txt": "ok\n", f"{IDS[0]}.txt": "x\n"})
    assert not passed and ("＊＊＊", "undeclared-file") in [(f["file"], f["what"]) for f in manifest["findings"]]
    assert_no_raw_value(manifest)


def test_names_and_ids_in_the_log_are_found_and_masked(tmp_path, protected):
    log = "starting\n" + "".join(f"row {name} {value[::-1]}\n" for name, value in zip(NAMES[:5], IDS, strict=False))
    manifest, passed = check(tmp_path, protected, [TEXT], {"output-1.txt": "ok\n"}, log=log)
    assert not passed and {f["file"] for f in manifest["findings"]} == {"run.log"}
    assert kinds(manifest) == {"name", "resident_id"}
    assert manifest["log_preview"][0] == "starting"
    assert all(line.startswith(outputs.MASK) for line in manifest["log_preview"][1:])
    assert_no_raw_value(manifest)


@pytest.mark.parametrize(
    ("header", "declared", "count"),
    [
        ("district,n", ("district:string", "n:integer"), "n"),  # the declared count column
        ("district,people_total", ("district:string", "people_total:integer"), None),  # a count by another name
        ("district,hh", ("district:string", "hh:integer"), "hh"),  # a name no pattern knows: declared
        ("district,persons", ("district:string", "persons:decimal"), None),  # a float count
    ],
)
def test_a_single_entity_group_in_a_count_column_is_found(tmp_path, protected, header, declared, count):
    value = "1.0" if declared[1].endswith("decimal") else "1"
    cells = ["贵池区,25", f"东至县,{value}"]
    manifest, passed = check(
        tmp_path, protected, [table(*declared, count=count)], {"output-1.csv": csv_of(header, cells)}
    )
    assert not passed and [f["what"] for f in manifest["findings"]] == ["small-group"], manifest["findings"]


def test_a_count_written_as_a_float_fails_its_declared_integer_type(tmp_path, protected):
    manifest, passed = check(
        tmp_path,
        protected,
        [table("district:string", "n:integer", count="n")],
        {"output-1.csv": csv_of("district,n", ["贵池区,25.0", "东至县,30.0"])},
    )
    assert not passed and [(f["what"], f["column"]) for f in manifest["findings"]] == [("type", "n")]


def test_exactly_the_declared_files_and_columns(tmp_path, protected):
    declared = [table("district:string", "n:integer", count="n"), TEXT]
    cases = {
        "missing file": ({"output-1.csv": csv_of("district,n", ["贵池区,25"])}, "missing-file"),
        "extra column": ({"output-1.csv": csv_of("district,n,x", ["贵池区,25,1"]), "output-2.txt": "ok"}, "columns"),
        "renamed column": ({"output-1.csv": csv_of("district,m", ["贵池区,25"]), "output-2.txt": "ok"}, "columns"),
    }
    for name, (files, what) in cases.items():
        manifest, passed = check(tmp_path / name.replace(" ", "-"), protected, declared, files)
        assert not passed and what in [f["what"] for f in manifest["findings"]], (name, manifest["findings"])


def test_a_clean_table_passes_with_a_profile_and_a_preview(tmp_path, protected):
    cells = ["贵池区,25,3.5", "东至县,30,2.25", "石台县,12,4.0"]
    manifest, passed = check(
        tmp_path,
        protected,
        [table("district:string", "n:integer", "mean_size:decimal", count="n")],
        {"output-1.csv": csv_of("district,n,mean_size", cells)},
    )
    assert passed, manifest["findings"]
    (preview,) = manifest["previews"]
    assert preview["rows"] == [cell.split(",") for cell in cells]
    n = preview["columns"][1]
    assert (n["type"], n["non_null"], n["distinct"], n["min"], n["max"]) == ("integer", 3, "2–9", 12, 30)
    assert manifest["files"][0]["rows"] == 3


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_json_and_parquet_outputs_are_checked_and_previewed(tmp_path, protected, fmt):
    declared = [table("district:string", "label:string", fmt=fmt)]
    rows = [{"district": "贵池区", "label": base64.b64encode(value.encode()).decode()} for value in IDS[:3]]
    if fmt == "json":
        content: bytes | str = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "t.parquet")
        content = (tmp_path / "t.parquet").read_bytes()
    manifest, passed = check(tmp_path, protected, declared, {f"output-1.{fmt}": content})
    assert not passed and "resident_id" in kinds(manifest)
    assert [row[1] for row in manifest["previews"][0]["rows"]] == [outputs.MASK] * 3
    assert_no_raw_value(manifest)


def test_a_tiny_compressed_parquet_with_millions_of_rows_fails_without_growing_the_server(tmp_path, protected):
    """2 million rows of one repeated value compress to a few KiB: the check reads the metadata, sees more rows
    than declared, and fails — without reading them."""
    path = tmp_path / "bomb.parquet"
    duckdb.sql(f"COPY (SELECT 12 AS n FROM range(2000000)) TO '{path}' (FORMAT parquet)")
    assert path.stat().st_size < 200_000
    before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.monotonic()
    manifest, passed = check(
        tmp_path, protected, [table("n:integer", fmt="parquet", count="n")], {"output-1.parquet": path.read_bytes()}
    )
    grown_kib, seconds = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, time.monotonic() - started
    assert not passed and [f["what"] for f in manifest["findings"]] == ["too-large"]
    assert seconds < 2 and grown_kib < 50_000, (seconds, grown_kib)


def test_a_csv_longer_than_declared_fails_and_is_read_no_further(tmp_path, protected):
    cells = ["贵池区,25"] * 500
    manifest, passed = check(
        tmp_path,
        protected,
        [table("district:string", "n:integer", count="n", max_rows=100)],
        {"output-1.csv": csv_of("district,n", cells)},
    )
    assert not passed and [f["what"] for f in manifest["findings"]] == ["too-large"]


# --- the rules themselves, without files -----------------------------------------------------------------


def test_shapes_find_ids_and_mobiles_not_in_the_data_but_not_ordinary_numbers():
    import random

    from tests.data import mobile, resident_id

    rng = random.Random(99)
    assert rules.findings_in(resident_id(rng)[:17]) == {"resident_id"}
    assert rules.findings_in("tel" + mobile(rng)) == {"mobile"}
    for innocent in ("rows 20 mean 3.4666666666666668", "2026-01-05 10:00:00,123 job done", "sha256 " + "ab" * 32):
        assert rules.findings_in(innocent) == set(), innocent


def test_declarations_are_checked_before_a_job_is_accepted():
    count_float = table("district:string", "n:decimal")
    assert rules.declaration_problem([]) == ("job.outputs-none", {})
    assert rules.declaration_problem([DeclaredOutput(format="csv")])[0] == "job.outputs-columns"
    assert rules.declaration_problem([table("a:string", "a:integer")])[0] == "job.outputs-duplicate-column"
    bad_count = DeclaredOutput.model_validate({**count_float.model_dump(), "count_column": "n"})
    assert rules.declaration_problem([bad_count]) == ("job.outputs-count-column", {"file": "output-1.csv"})
    assert rules.declaration_problem([table("district:string", "n:integer", count="n"), TEXT]) is None
