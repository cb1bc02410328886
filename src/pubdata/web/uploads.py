"""Receiving an uploaded file: streamed straight into the domain, only once the caller may send it.

FastAPI reads (and spools to disk) a form's whole body before any dependency runs, so a route that declared
``UploadFile`` would take a 2 GiB file from anyone before asking who they are. The upload routes declare no body
instead: their dependencies authenticate, the handler checks the permission, and only then does ``receive`` read
the body, writing the file part into the process's folder inside the domain (``common.store.scratch_for``) as it
arrives, never to a temporary file elsewhere. ``app.BodyLimit`` has refused a declared length over the limit
already, and cuts a body sent without one at the limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import anyio
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from pubdata.common.errors import Refused
from pubdata.common.messages import declare

FIELD_BYTES = 64 * 1024  # a form field beside the file (a format, a list of field names, a CSRF token)
MAX_PARTS = 16

declare(
    refusals={
        "http.upload-form": (
            422,
            "上传的表单无效：请以 multipart/form-data 发送，且只含一个名为 {name} 的文件。",
            "The upload is not a valid form: send multipart/form-data with exactly one file, named {name}.",
        ),
    }
)


# The OpenAPI description of the body the upload routes read themselves.
def form_body(fields: dict[str, str]) -> dict[str, Any]:
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary"}}
    properties |= {name: {"type": "string", "description": text} for name, text in fields.items()}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": properties}}
            },
        }
    }


@dataclass
class Received:
    """The received file (in the domain; the caller removes it) and the form's other fields."""

    path: Path
    file_name: str
    fields: dict[str, str]


@dataclass
class _Form:
    folder: Path
    file_field: str
    before_file: Callable[[dict[str, str]], None] | None
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    file_name: str | None = None
    sink: IO[bytes] | None = None
    waiting: list[bytes] = field(default_factory=list)
    parts: int = 0
    _headers: dict[bytes, bytes] = field(default_factory=dict)
    _header: tuple[bytearray, bytearray] = field(default_factory=lambda: (bytearray(), bytearray()))
    _current: str | None = None  # the field being read; None for a part that is skipped
    _in_file: bool = False
    _value: bytearray = field(default_factory=bytearray)

    def refusal(self) -> Refused:
        return Refused("http.upload-form", name=self.file_field)

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self._header[0].extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header[1].extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise self.refusal()
        self._headers, self._current, self._in_file = {}, None, False
        self._value = bytearray()

    def header_end(self) -> None:
        name, value = self._header
        self._headers[bytes(name).lower()] = bytes(value)
        name.clear()
        value.clear()

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._current = name
            return
        if name != self.file_field or self.path is not None:
            raise self.refusal()
        if self.before_file is not None:
            self.before_file(self.fields)  # e.g. a page's CSRF check, before a byte of the file is kept
        self.file_name = options[b"filename"].decode("utf-8", "replace")
        self.path = self.folder / f"upload-{uuid.uuid4().hex}"
        self.sink = self.path.open("xb")
        self._in_file = True

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.waiting.append(bytes(data[start:end]))
        elif self._current is not None:
            self._value.extend(data[start:end])
            if len(self._value) > FIELD_BYTES:
                raise self.refusal()

    def part_end(self) -> None:
        if self._in_file:
            self._in_file = False
        elif self._current is not None:
            try:
                self.fields[self._current] = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise self.refusal() from None

    async def write_waiting(self) -> None:
        if self.waiting and self.sink is not None:
            chunk, self.waiting = b"".join(self.waiting), []
            await anyio.to_thread.run_sync(self.sink.write, chunk)

    def discard(self) -> None:
        if self.sink is not None:
            self.sink.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


async def receive(
    request: Request,
    folder: Path,
    *,
    file_field: str = "file",
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> Received:
    """Read the request's multipart form, its one file written to ``folder`` as it arrives; nothing is kept
    if anything goes wrong (a bad form, a cut connection, a full disk, the body limit)."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    form = _Form(folder, file_field, before_file)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise form.refusal()
    parser = MultipartParser(boundary, form.callbacks())  # type: ignore[arg-type]  # a TypedDict of the same
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await form.write_waiting()
        parser.finalize()
        await form.write_waiting()
        if form.sink is None or form.path is None or form._in_file:
            raise form.refusal()
        form.sink.close()
    except (FormParserError, ClientDisconnect):
        form.discard()
        raise form.refusal() from None
    except BaseException:
        form.discard()
        raise
    return Received(form.path, form.file_name or "", form.fields)
