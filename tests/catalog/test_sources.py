"""Approved source connections: the URL rules without a database, the bureau's registry through the API and
pages on both databases, and a real load from PostgreSQL through an approved connection.

The attack this answers: a provider's free-form SQL-source URL reached the platform's own database (a
``file:`` URI was judged a relative path). Now a provider names an approved connection by id; the bureau
approves only network databases that are not the platform's, and the password is never shown again.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from pubdata.app import create_app
from pubdata.catalog import rules
from pubdata.catalog.models import SourceConnection
from pubdata.common import clock
from pubdata.ledger.models import LedgerEntry
from tests.conftest import POSTGRES_URL
from tests.data import person_rows, resource_body
from tests.scenarios import PASSWORD, ledger_size, make_account

DATA_DIR = "/srv/pubdata-data"
PLATFORM_PG = "postgresql+psycopg://pubdata@db.internal:5432/pubdata"
PLATFORM_SQLITE = f"sqlite:///{DATA_DIR}/pubdata.sqlite3"
SECRET = "Zq9-department-S3cret"
INSIDE, OWN = "catalog.source-platform-path", "catalog.source-platform-database"

# --- the rules, without a database ------------------------------------------------------------------------

URLS = [
    # (url, the platform's database URL, the rule that refuses it; None: allowed)
    ("postgresql+psycopg://reader@10.1.2.3:5432/population", PLATFORM_PG, None),
    ("postgresql://reader@db.police.gov.cn/population?sslmode=require", PLATFORM_PG, None),
    ("mysql+pymysql://reader@10.1.2.4:3306/licences?charset=utf8mb4", PLATFORM_PG, None),
    ("mariadb+pymysql://reader@10.1.2.5/credit", PLATFORM_PG, None),
    ("POSTGRESQL+PSYCOPG://reader@10.1.2.3/population", PLATFORM_PG, None),  # the scheme is not case-sensitive
    ("sqlite:///police.sqlite3", PLATFORM_SQLITE, "catalog.source-driver"),
    ("sqlite:////tmp/elsewhere/police.sqlite3", PLATFORM_SQLITE, "catalog.source-driver"),
    (f"sqlite:///{DATA_DIR}/pubdata.sqlite3", PLATFORM_SQLITE, "catalog.source-platform-path"),
    (f"sqlite:///{DATA_DIR}/keys/../pubdata.sqlite3", PLATFORM_PG, "catalog.source-platform-path"),
    (f"SQLite:///{DATA_DIR}/domain/resources/1/v1.parquet", PLATFORM_PG, "catalog.source-platform-path"),
    ("sqlite://", PLATFORM_SQLITE, "catalog.source-driver"),
    ("duckdb:///tmp/x.duckdb", PLATFORM_PG, "catalog.source-driver"),
    ("file:///etc/passwd", PLATFORM_PG, "catalog.source-driver"),
    (f"FILE://{DATA_DIR}/pubdata.sqlite3", PLATFORM_PG, "catalog.source-platform-path"),
    ("file:pubdata-data/pubdata.sqlite3", PLATFORM_SQLITE, "catalog.source-not-a-url"),
    ("mssql+pyodbc://reader@10.1.2.3/x", PLATFORM_PG, "catalog.source-driver"),
    ("postgresql+asyncpg://reader@10.1.2.3/x", PLATFORM_PG, "catalog.source-driver"),
    ("not a url", PLATFORM_PG, "catalog.source-not-a-url"),
    ("postgresql://reader@10.1.2.3:port/x", PLATFORM_PG, "catalog.source-not-a-url"),
    (f"postgresql://reader@10.1.2.3/x?host={DATA_DIR}/run", PLATFORM_PG, "catalog.source-platform-path"),
    (
        f"postgresql://reader@10.1.2.3/x?sslrootcert=file:{DATA_DIR}/keys/ca.pem",
        PLATFORM_PG,
        "catalog.source-platform-path",
    ),
    (
        f"postgresql://reader@10.1.2.3/x?sslkey={DATA_DIR}/keys/ledger-ed25519.pem",
        PLATFORM_PG,
        "catalog.source-platform-path",
    ),
    (f"mysql+pymysql://reader@10.1.2.3/x?unix_socket={DATA_DIR}/s", PLATFORM_PG, "catalog.source-platform-path"),
    ("postgresql://reader@10.1.2.3/x?host=/var/run/postgresql", PLATFORM_PG, "catalog.source-option"),
    ("postgresql://reader@10.1.2.3/x?hostaddr=127.0.0.1", PLATFORM_PG, "catalog.source-option"),
    ("postgresql://reader@10.1.2.3/x?service=pubdata", PLATFORM_PG, "catalog.source-option"),
    ("mysql+pymysql://reader@10.1.2.3/x?local_infile=1", PLATFORM_PG, "catalog.source-option"),
    ("mysql+pymysql://reader@10.1.2.3/x?read_default_file=/root/.my.cnf", PLATFORM_PG, "catalog.source-option"),
    ("postgresql://reader:pw@10.1.2.3/x", PLATFORM_PG, "catalog.source-password-in-url"),
    ("postgresql:///pubdata", PLATFORM_PG, "catalog.source-address"),  # no host: the local socket
    ("postgresql://reader@10.1.2.3:70000/x", PLATFORM_PG, "catalog.source-address"),
    ("postgresql://reader@%2Fvar%2Frun/x", PLATFORM_PG, "catalog.source-address"),
    ("postgresql://reader@10.1.2.3", PLATFORM_PG, "catalog.source-no-database"),
    ("postgresql+psycopg://pubdata@db.internal:5432/pubdata", PLATFORM_PG, "catalog.source-platform-database"),
    ("postgresql+psycopg2://other@DB.INTERNAL/PUBDATA", PLATFORM_PG, "catalog.source-platform-database"),
    (
        "postgresql://x@localhost/test",
        "postgresql+psycopg://postgres@127.0.0.1/test",
        "catalog.source-platform-database",
    ),
    (
        "postgresql://x@127.0.0.9/test",
        "postgresql+psycopg://postgres@localhost/test",
        "catalog.source-platform-database",
    ),
    (
        "postgresql://x@[::1]:5432/test",
        "postgresql+psycopg://postgres@127.0.0.1/test",
        "catalog.source-platform-database",
    ),
    (
        "postgresql://x@127.0.0.1/test",
        "postgresql+psycopg://postgres@/test?host=/var/run/postgresql",  # the platform on the local socket
        "catalog.source-platform-database",
    ),
    ("postgresql://x@127.0.0.1/other", "postgresql+psycopg://postgres@127.0.0.1/test", None),  # another database
    ("postgresql://x@127.0.0.1:5433/test", "postgresql+psycopg://postgres@127.0.0.1/test", None),  # another server
]


@pytest.mark.parametrize("url,platform_url,rule", URLS)
def test_a_source_url_is_allowed_or_refused_by_one_named_rule(url, platform_url, rule):
    refusal = rules.source_url_refusal(url, platform_url=platform_url, data_dir=DATA_DIR)
    assert (refusal.rule if refusal else None) == rule


def test_a_relative_path_is_resolved_as_the_database_client_would(tmp_path, monkeypatch):
    """The attack: a relative path was judged not inside the data directory. It is resolved from the service's
    working directory, as SQLite (or libpq) would resolve it, so it is found inside."""
    data_dir = tmp_path / "pubdata-data"
    (data_dir / "keys").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite:///pubdata-data/pubdata.sqlite3", "postgresql://r@10.1.2.3/x?sslkey=pubdata-data/keys/k.pem"):
        refusal = rules.source_url_refusal(url, platform_url=PLATFORM_PG, data_dir=str(data_dir))
        assert refusal is not None and refusal.rule == "catalog.source-platform-path", url


def test_a_symlink_into_the_data_directory_is_followed(tmp_path):
    data_dir = tmp_path / "pubdata-data"
    (data_dir / "keys").mkdir(parents=True)
    (tmp_path / "innocent").symlink_to(data_dir / "keys")
    url = f"postgresql://r@10.1.2.3/x?sslrootcert={tmp_path}/innocent/ca.pem"
    refusal = rules.source_url_refusal(url, platform_url=PLATFORM_PG, data_dir=str(data_dir))
    assert refusal is not None and refusal.rule == "catalog.source-platform-path"


def test_every_rule_a_source_can_be_refused_with_is_declared():
    from pubdata.common import messages

    for _, _, rule in URLS:
        assert rule is None or messages.is_refusal(rule), rule


# --- the registry, through the API ---------------------------------------------------------------------------


@pytest.fixture
def client(platform):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))
    with TestClient(create_app(platform)) as test_client:
        yield test_client


@pytest.fixture
def people(platform):
    """A department database: a scratch table in a schema of its own on the local PostgreSQL server."""
    schema = f"dept_{uuid.uuid4().hex[:10]}"
    engine = create_engine(POSTGRES_URL)
    rows = person_rows(30)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            connection.execute(
                text(
                    f'CREATE TABLE "{schema}".people (id_number text, full_name text, phone text, birth_date text, '
                    "district text, household_size text)"
                )
            )
            connection.execute(
                text(
                    f'INSERT INTO "{schema}".people VALUES (:id_number, :full_name, :phone, :birth_date, :district, '
                    ":household_size)"
                ),
                rows,
            )
        yield {"schema": schema, "rows": rows}
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def _accounts(platform):
    return {
        "bureau": make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin"),
        "reviewer": make_account(
            platform, kind="bureau", name="池州市数据资源局", login="bureau.reviewer", role="reviewer"
        ),
        "police": make_account(platform, kind="provider", name="池州市公安局", login="police.admin"),
        "tax": make_account(platform, kind="provider", name="池州市税务局", login="tax.admin"),
        "operator": make_account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin"),
        "audit": make_account(platform, kind="audit", name="池州市审计局", login="audit.admin"),
    }


@pytest.fixture
def accounts(platform):
    return _accounts(platform)


def source_url(schema: str) -> str:
    """The local server, with the department's schema first on the search path (a connection option)."""
    base = POSTGRES_URL.split("?")[0]
    return f"{base}?options=-csearch_path%3D{schema}"


def approve(client, account, provider, url, name="公安局人口库（只读）", password=SECRET):
    body = {"name": name, "provider_id": provider.organisation_id, "url": url}
    if password is not None:
        body["password"] = password
    return client.post("/api/v1/sources", headers=account.headers, json=body)


def describe(client, account) -> dict:
    response = client.post("/api/v1/resources", headers=account.headers, json=resource_body())
    assert response.status_code == 201, response.text
    return response.json()


def load(client, account, resource_id, source_id, query="SELECT * FROM people"):
    return client.post(
        f"/api/v1/resources/{resource_id}/versions/sql",
        headers=account.headers,
        json={"source_id": source_id, "query": query},
    )


def everything_recorded(platform) -> str:
    with platform.read() as session:
        entries = session.scalars(select(LedgerEntry)).all()
        recorded = [(entry.action, entry.subject, json.loads(entry.payload or "{}")) for entry in entries]
    return json.dumps(recorded, ensure_ascii=False)


def _is_platform_postgres(platform) -> bool:
    return platform.engine.url.get_backend_name() == "postgresql"


def test_a_department_loads_from_an_approved_postgresql_connection(client, platform, accounts, people):
    approved = approve(client, accounts["bureau"], accounts["police"], source_url(people["schema"]))
    if _is_platform_postgres(platform):
        # The platform's own database lives on the same server, in the same database: never a source.
        assert approved.status_code == 422, approved.text
        assert approved.json()["rule"] == "catalog.source-platform-database"
        return
    assert approved.status_code == 201, approved.text
    source = approved.json()
    assert source["has_password"] is True and "password" not in source and SECRET not in approved.text
    resource = describe(client, accounts["police"])
    loaded = load(client, accounts["police"], resource["id"], source["id"])
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["row_count"] == 30 and loaded.json()["source_format"] == "sql"
    preview = client.get(f"/api/v1/resources/{resource['id']}/preview", headers=accounts["police"].headers).json()
    assert len(preview["rows"]) == 10
    recorded = everything_recorded(platform)
    # The name is kept in its normal form (NFKC: full-width brackets are the ASCII ones).
    assert "catalog.source.approve" in recorded and '"source_connection": "公安局人口库(只读)"' in recorded
    assert SECRET not in recorded
    with platform.read() as session:
        sealed = session.scalars(select(SourceConnection.password_sealed)).one()
    assert sealed.startswith("sm4gcm:") and SECRET not in sealed


def test_the_password_is_never_shown_back(client, platform, accounts):
    approved = approve(client, accounts["bureau"], accounts["police"], "postgresql+psycopg://reader@10.9.8.7/pop")
    assert approved.status_code == 201, approved.text
    source_id = approved.json()["id"]
    answers = [
        approved,
        client.get("/api/v1/sources", headers=accounts["bureau"].headers),
        client.get(f"/api/v1/sources/{source_id}", headers=accounts["bureau"].headers),
        client.get("/api/v1/sources", headers=accounts["police"].headers),
        client.get("/api/v1/sources", headers=accounts["audit"].headers),
        client.post(f"/api/v1/sources/{source_id}/disable", headers=accounts["bureau"].headers),
        client.get("/api/v1/ledger/entries", headers=accounts["bureau"].headers),
    ]
    for answer in answers:
        assert answer.status_code < 500 and SECRET not in answer.text, answer.text
    assert all(answer.status_code == 200 for answer in answers[1:6])
    assert SECRET not in everything_recorded(platform)


def test_a_provider_may_not_approve_or_disable_and_sees_only_its_own(client, platform, accounts):
    before = ledger_size(platform)
    refused = approve(client, accounts["police"], accounts["police"], "postgresql://reader@10.9.8.7/pop")
    assert refused.status_code == 403 and refused.json()["rule"] == "identity.permission"
    refused = approve(client, accounts["reviewer"], accounts["police"], "postgresql://reader@10.9.8.7/pop")
    assert refused.status_code == 403  # the bureau's admin approves, not its reviewers
    assert ledger_size(platform) == before
    police_source = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/pop").json()
    tax_source = approve(
        client, accounts["bureau"], accounts["tax"], "postgresql://r@10.9.8.8/tax", name="税务库"
    ).json()
    listed = client.get("/api/v1/sources", headers=accounts["police"].headers).json()
    assert [item["id"] for item in listed] == [police_source["id"]]
    assert client.get(f"/api/v1/sources/{tax_source['id']}", headers=accounts["police"].headers).status_code == 404
    disabled = client.post(f"/api/v1/sources/{police_source['id']}/disable", headers=accounts["police"].headers)
    assert disabled.status_code == 403
    assert client.get("/api/v1/sources", headers=accounts["operator"].headers).status_code == 403
    assert len(client.get("/api/v1/sources", headers=accounts["audit"].headers).json()) == 2
    # A department loads from its own connections only: another department's is as if it did not exist.
    resource = describe(client, accounts["police"])
    assert load(client, accounts["police"], resource["id"], tax_source["id"]).status_code == 404


@pytest.mark.parametrize(
    "url,rule",
    [
        ("sqlite:///police.sqlite3", "catalog.source-driver"),
        ("file:///etc/passwd", "catalog.source-driver"),
        ("postgresql://r:inline@10.9.8.7/pop", "catalog.source-password-in-url"),
        ("postgresql://r@10.9.8.7/pop?host=/var/run/postgresql", "catalog.source-option"),
        ("platform-database", "catalog.source-platform-database"),
        ("data-dir", "catalog.source-platform-path"),
    ],
)
def test_a_refused_url_is_named_by_its_rule_and_nothing_is_kept(client, platform, accounts, url, rule):
    if url == "platform-database":
        url = platform.engine.url.render_as_string(hide_password=False)
        if not _is_platform_postgres(platform):
            rule = "catalog.source-platform-path"  # the embedded platform's database is a file in its directory
    elif url == "data-dir":
        url = f"postgresql://r@10.9.8.7/pop?sslkey={platform.settings.keys_dir}/ledger-ed25519.pem"
    before = ledger_size(platform)
    refused = approve(client, accounts["bureau"], accounts["police"], url)
    assert refused.status_code == 422 and refused.json()["rule"] == rule, refused.text
    english = client.post(
        "/api/v1/sources",
        headers={**accounts["bureau"].headers, "Accept-Language": "en"},
        json={"name": "x", "provider_id": accounts["police"].organisation_id, "url": url},
    )
    assert english.json()["rule"] == rule and english.json()["detail"] != refused.json()["detail"]
    assert ledger_size(platform) == before
    assert client.get("/api/v1/sources", headers=accounts["bureau"].headers).json() == []


def test_approval_checks_the_department_and_the_name(client, platform, accounts):
    refused = approve(client, accounts["bureau"], accounts["operator"], "postgresql://r@10.9.8.7/pop")
    assert refused.status_code == 422 and refused.json()["rule"] == "catalog.source-not-a-provider"
    assert approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/pop").status_code == 201
    taken = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/pop")
    assert taken.status_code == 409 and taken.json()["rule"] == "catalog.source-name-taken"
    bad = client.post("/api/v1/sources", headers=accounts["bureau"].headers, json={"name": "x", "url": "postgresql://"})
    assert bad.status_code == 422


def test_no_load_from_a_disabled_connection_or_a_free_url(client, platform, accounts):
    source = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/pop").json()
    resource = describe(client, accounts["police"])
    assert (
        client.post(f"/api/v1/sources/{source['id']}/disable", headers=accounts["bureau"].headers).json()["active"]
        is False
    )
    again = client.post(f"/api/v1/sources/{source['id']}/disable", headers=accounts["bureau"].headers)
    assert again.status_code == 409 and again.json()["rule"] == "catalog.source-disabled"
    before = ledger_size(platform)
    refused = load(client, accounts["police"], resource["id"], source["id"])
    assert refused.status_code == 409 and refused.json()["rule"] == "catalog.source-disabled"
    free = client.post(
        f"/api/v1/resources/{resource['id']}/versions/sql",
        headers=accounts["police"].headers,
        json={"url": platform.settings.resolved_database_url, "query": "SELECT * FROM app_user"},
    )
    assert free.status_code == 422  # the API has no URL field any more
    assert ledger_size(platform) == before


def test_a_connection_is_checked_again_at_every_load(client, platform, accounts):
    """A row that would be refused today (edited behind the platform, or approved before its data directory
    moved) is refused when a load uses it, before anything connects."""
    source = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/pop").json()
    with platform.command() as session:
        row = session.get(SourceConnection, source["id"])
        row.options = json.dumps({"sslkey": str(platform.settings.keys_dir / "ledger-ed25519.pem")})
    resource = describe(client, accounts["police"])
    refused = load(client, accounts["police"], resource["id"], source["id"])
    assert refused.status_code == 422 and refused.json()["rule"] == "catalog.source-platform-path"


def test_an_unreachable_department_database_is_a_load_report_not_a_500(client, platform, accounts):
    # 127.0.0.1:9 (discard) has no PostgreSQL: the connection is refused at once.
    source = approve(client, accounts["bureau"], accounts["police"], "postgresql+psycopg://r@127.0.0.1:9/pop").json()
    resource = describe(client, accounts["police"])
    refused = load(client, accounts["police"], resource["id"], source["id"])
    assert refused.status_code == 422 and refused.json()["rule"] == "catalog.load-refused"
    assert SECRET not in refused.text
    assert refused.json()["report"]["problems"][0]["rule"] == "catalog.sql-source"


def test_a_sealed_password_moved_to_another_connection_does_not_open(client, platform, accounts):
    first = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/a", name="甲").json()
    second = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/b", name="乙").json()
    with platform.command() as session:
        rows = {row.id: row for row in session.scalars(select(SourceConnection))}
        rows[second["id"]].password_sealed = rows[first["id"]].password_sealed  # behind the platform's back
    resource = describe(client, accounts["police"])
    refused = load(client, accounts["police"], resource["id"], second["id"])
    assert refused.status_code == 409 and refused.json()["rule"] == "catalog.source-credential"


def test_the_sealing_key_is_the_owners_alone(platform):
    key = platform.settings.keys_dir / "sealing-sm4.key"
    assert key.stat().st_size == 16 and oct(key.stat().st_mode & 0o777) == "0o600"
    assert os.stat(platform.settings.keys_dir).st_mode & 0o077 == 0


# --- pages ---------------------------------------------------------------------------------------------------


def _login(client: TestClient, login: str) -> str:
    client.get("/login")
    csrf = client.cookies["pubdata_csrf"]
    answer = client.post(
        "/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return csrf


def test_the_bureau_keeps_the_registry_on_its_page(platform, accounts):
    with TestClient(create_app(platform)) as client:
        csrf = _login(client, "bureau.admin")
        page = client.get("/sources")
        assert page.status_code == 200 and "数据源连接" in page.text and 'data-testid="source-form"' in page.text
        assert "Source connections" in client.get("/sources?lang=en").text
        form = {
            "csrf_token": csrf,
            "name": "公安局人口库",
            "provider_id": str(accounts["police"].organisation_id),
            "password": SECRET,
        }
        refused = client.post("/sources", data={**form, "url": "sqlite:///x.sqlite3"})
        assert refused.status_code == 422 and "Only network databases" in refused.text and SECRET not in refused.text
        done = client.post("/sources", data={**form, "url": "postgresql://r@10.9.8.7/pop"}, follow_redirects=False)
        assert done.status_code == 303
        listed = client.get("/sources?lang=zh-CN")
        assert "公安局人口库" in listed.text and SECRET not in listed.text and "disable-" in listed.text
        with platform.read() as session:
            source_id = session.scalars(select(SourceConnection.id)).one()
        gone = client.post(f"/sources/{source_id}/disable", data={"csrf_token": csrf}, follow_redirects=False)
        assert gone.status_code == 303 and "已停用" in client.get("/sources").text


def test_a_department_chooses_an_approved_connection_on_the_resource_page(client, platform, accounts):
    source = approve(client, accounts["bureau"], accounts["police"], "postgresql+psycopg://r@127.0.0.1:9/pop").json()
    resource = describe(client, accounts["police"])
    with TestClient(create_app(platform)) as pages:
        csrf = _login(pages, "police.admin")
        page = pages.get(f"/resources/{resource['id']}")
        assert 'data-testid="load-sql-form"' in page.text and f'<option value="{source["id"]}"' in page.text
        assert SECRET not in page.text
        unchosen = pages.post(f"/catalog/resources/{resource['id']}/load-sql", data={"csrf_token": csrf, "query": "x"})
        assert unchosen.status_code == 422 and "请选择一个已批准的数据源连接" in unchosen.text
        tried = pages.post(
            f"/catalog/resources/{resource['id']}/load-sql",
            data={"csrf_token": csrf, "source_id": str(source["id"]), "query": "SELECT * FROM people"},
            follow_redirects=False,
        )
        # Nothing listens there: the refused load's report is a page of its own (POST-redirect-GET).
        assert tried.status_code == 303 and tried.headers["location"].startswith(f"/resources/{resource['id']}/loads/")
        assert 'data-testid="load-refused"' in pages.get(tried.headers["location"]).text
        assert pages.get("/sources").status_code == 200  # its own connections, read-only


def test_odd_input_gets_a_4xx_never_a_500(client, platform, accounts):
    repeated = approve(client, accounts["bureau"], accounts["police"], "postgresql://r@10.9.8.7/p?sslmode=a&sslmode=b")
    assert repeated.status_code == 201 and repeated.json()["options"] == {"sslmode": ["a", "b"]}
    assert client.get("/api/v1/sources", headers=accounts["bureau"].headers).status_code == 200
    huge = 10**30
    body = {"name": "大", "provider_id": huge, "url": "postgresql://r@10.9.8.7/p"}
    assert client.post("/api/v1/sources", headers=accounts["bureau"].headers, json=body).status_code == 422
    assert client.get(f"/api/v1/sources/{huge}", headers=accounts["bureau"].headers).status_code == 422
    assert client.post(f"/api/v1/sources/{huge}/disable", headers=accounts["bureau"].headers).status_code == 422
    assert client.get("/api/v1/sources/99999", headers=accounts["bureau"].headers).status_code == 404
    resource = describe(client, accounts["police"])
    assert load(client, accounts["police"], resource["id"], huge).status_code == 422
    assert load(client, accounts["police"], resource["id"], 99999).status_code == 404
    unnamed = client.post(
        "/api/v1/sources",
        headers=accounts["bureau"].headers,
        json={"name": "<script>", "provider_id": accounts["police"].organisation_id, "url": "postgresql://r@h/p"},
    )
    assert unnamed.status_code == 422
