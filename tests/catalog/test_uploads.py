"""Uploads through the real server: who is calling is settled before a byte of the body is read or kept, a
declared length over the limit is refused unread, a body without one is cut at the limit, and an .xlsx loads
through the API as through the command line."""

from __future__ import annotations

import io
import json
import socket

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from pubdata.app import create_app
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.platform import open_platform
from pubdata.web.render import CSRF_COOKIE
from tests.data import csv_text, person_rows, resource_body
from tests.scenarios import PASSWORD, make_account, principal, run
from tests.servers import environment, files_under, served

BOUNDARY = "pubdata-upload-boundary"
FILE_HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
).encode()
TWO_GIB = 2 * 1024**3


def _request(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{key}: {value}" for key, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(connection: socket.socket) -> tuple[int, dict]:
    """The status and problem document the server sent, read while the client has not finished its body."""
    connection.settimeout(120)  # only so that a broken server fails the test instead of hanging it
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += connection.recv(65536)
    return status, json.loads(rest[:length])


@pytest.fixture
def server_setup(settings):
    """A department's resource, its loader's token, and an outsider's (a department that does not own it)."""
    platform = open_platform(settings)
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    other = make_account(platform, kind="provider", name="池州市民政局", login="civil.admin")
    resource = run(
        platform,
        catalog.describe,
        principal=principal(platform, "police.admin"),
        body=ResourceIn.model_validate(resource_body()),
    )
    platform.close()
    return {"resource_id": resource.id, "police": police.token, "other": other.token}


def _nothing_received(settings) -> None:
    """No part of any body was kept: not in the domain (uploads, the old spool), not anywhere in it."""
    assert files_under(settings.domain_dir) == []


@pytest.mark.parametrize("who", ["none", "invalid", "outsider"])
def test_a_declared_2_gib_upload_is_refused_before_its_body_is_read(settings, server_setup, who):
    token = {"none": None, "invalid": "pdt_1_" + "x" * 40, "outsider": server_setup["other"]}[who]
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(TWO_GIB)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    path = f"/api/v1/resources/{server_setup['resource_id']}/versions"
    with served(settings) as (_, port), socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(_request(path, headers) + FILE_HEAD + b"id_number,full_name\n" * 1000)
        status, body = _answer(connection)  # answered with 2 GiB still unsent
        _nothing_received(settings)
    expected = {"none": (401, "identity.no-credentials"), "invalid": (401, None), "outsider": (404, None)}[who]
    assert status == expected[0], body
    if expected[1]:
        assert body["rule"] == expected[1]


def test_a_declared_length_over_the_limit_is_refused_unread(settings, server_setup):
    headers = {
        "Authorization": f"Bearer {server_setup['police']}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(TWO_GIB + 1),
    }
    path = f"/api/v1/resources/{server_setup['resource_id']}/versions"
    with served(settings) as (_, port), socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(_request(path, headers))
        status, body = _answer(connection)
        _nothing_received(settings)
    assert status == 413 and body["rule"] == "http.body-too-large"


def test_a_body_without_a_length_is_cut_at_the_limit_and_nothing_is_kept(settings, server_setup):
    limit = 256 * 1024
    settings_env = {"PUBDATA_MAX_UPLOAD_BYTES": str(limit)}
    headers = {
        "Authorization": f"Bearer {server_setup['police']}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Transfer-Encoding": "chunked",
    }
    path = f"/api/v1/resources/{server_setup['resource_id']}/versions"
    with (
        served(settings, env=environment(settings, **settings_env)) as (_, port),
        socket.create_connection(("127.0.0.1", port)) as connection,
    ):
        connection.sendall(_request(path, headers))
        chunk = FILE_HEAD + b"1" * (64 * 1024)
        sent = 0
        while sent <= 2 * limit:  # well past the limit; the server stops reading at it
            try:
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:
                break
            sent += len(chunk)
            chunk = b"2" * (64 * 1024)
        status, body = _answer(connection)
        _nothing_received(settings)
    assert status == 413 and body["rule"] == "http.body-too-large"


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([int(row["household_size"]) if key == "household_size" else value for key, value in row.items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_loads_through_the_api_as_through_the_cli(platform):
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    with TestClient(create_app(platform)) as client:
        resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body()).json()
        loaded = client.post(
            f"/api/v1/resources/{resource['id']}/versions",
            headers=police.headers,
            files={"file": ("人口.xlsx", _xlsx(person_rows(25)))},
        )
        assert loaded.status_code == 201, loaded.text
        assert loaded.json()["source_format"] == "xlsx" and loaded.json()["row_count"] == 25
        # The upload's copy is gone; the version is all that stays.
        domain = platform.settings.domain_dir
        assert [p.relative_to(domain).parts[0] for p in files_under(domain)] == ["resources"]


def test_a_form_without_a_file_or_not_multipart_is_a_clear_refusal(platform):
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    with TestClient(create_app(platform)) as client:
        resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body()).json()
        path = f"/api/v1/resources/{resource['id']}/versions"
        no_file = client.post(path, headers=police.headers, data={"format": "csv"}, files={"other": ("", b"")})
        as_json = client.post(path, headers=police.headers, json={"file": "a,b"})
        for response in (no_file, as_json):
            assert response.status_code == 422 and response.json()["rule"] == "http.upload-form", response.text
    assert files_under(platform.settings.domain_dir) == []


def test_a_page_upload_without_its_form_token_keeps_no_byte_of_the_file(platform):
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    with TestClient(create_app(platform)) as client:
        assert client.get("/login").status_code == 200
        logged_in = client.post(
            "/login",
            data={"login": "police.admin", "password": PASSWORD, "csrf_token": client.cookies.get(CSRF_COOKIE)},
            follow_redirects=False,
        )
        assert logged_in.status_code == 303
        resource = run(
            platform,
            catalog.describe,
            principal=principal(platform, "police.admin"),
            body=ResourceIn.model_validate(resource_body()),
        )
        page = client.post(
            f"/catalog/resources/{resource.id}/load",
            data={"csrf_token": "not-the-form's"},
            files={"file": ("people.csv", csv_text(person_rows(20)).encode())},
        )
        assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert files_under(platform.settings.domain_dir) == []
