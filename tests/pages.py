"""Reading pages as a user reads them: the words they show (outside code, inputs and `translate="no"`), the
links they offer, and a walk over every page an account can reach — the checks of "Chinese throughout".

A word a zh-CN page may show in Latin letters is a technical identifier in ``<code>`` (a column name, a package),
something typed into a form, or one of the proper names below; anything else is an English word on a Chinese
page. A label no domain declared shows as its key (``render.page_label``), which ``key_shaped`` finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice, product
from typing import Any
from urllib.parse import urljoin, urlsplit

from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import compile_path

from pubdata.common import clock
from pubdata.db import Base
from tests import routes

# Proper names: standards, formats, products and algorithms that a Chinese page names as they are.
PROPER_NAMES = frozenset(
    {
        "SQL",
        "API",
        "ECharts",
        "SM2",
        "SM3",
        "CSV",
        "PDF",
        "XLSX",
        "Parquet",
        "DuckDB",
        "ODRL",
        "JSON",
        "JSON-LD",
        "LD",
        "PEM",
        "SHA",
        "Python",
        "PostgreSQL",
        "MySQL",
        "MariaDB",
        "HTTP",
        "HTTPS",
        "URL",
        "UTF",
        "GBK",
        "GB",
        "ZIP",
        "RFC",
        "Excel",
        "English",  # the language switch names the other language in its own words
    }
)
# Where Latin letters are not words of the interface: code, typed text, and what the page marks as untranslated.
UNREAD = frozenset({"script", "style", "code", "pre", "textarea", "kbd", "samp", "var"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
SPOKEN = ("title", "aria-label", "alt")  # attributes a reader sees or hears (inputs' own values are typed text)
CHUNK = re.compile(r"[A-Za-z0-9_.\-+/:@#%'’&]+")
WORD = re.compile(r"[A-Za-z]{2,}")
# A date's written pattern (ISO 8601 notation, as departments describe their fields): not words.
DATE_PATTERN = re.compile(r"^(?:YYYY|YY|MM|DD|hh|mm|ss)(?:[-/:T ]?(?:YYYY|MM|DD|hh|mm|ss))*$")
# A label key: two or more dotted lowercase parts (``nav.home``, ``contract.rule_dp``).
KEY = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+(?![\w@/-])")


class _Reader(HTMLParser):
    """The visible text of a page (what a reader reads as the interface) and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[tuple[str, bool]] = []  # (href, marked as a download)
        self._open: list[tuple[str, bool]] = []  # tag, and whether its content is unread

    @property
    def _unread(self) -> bool:
        return any(unread for _, unread in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes["href"] or "", "download" in attributes))
        unread = tag in UNREAD or attributes.get("translate") == "no"
        if not (unread or self._unread):  # a tooltip or a screen reader's words are read too
            self.text += [" ".join(str(attributes[name]).split()) for name in SPOKEN if attributes.get(name)]
        if tag in VOID:
            return
        self._open.append((tag, unread))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._unread and data.strip():
            self.text.append(" ".join(data.split()))


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def english_words(texts: Iterable[str]) -> list[str]:
    """The Latin-letter words of ``texts`` that are neither part of an identifier with digits (a resource code,
    a version, a hash) nor a proper name."""
    found = []
    for text in texts:
        for chunk in CHUNK.findall(text):
            bare = chunk.strip(".-:/'’")
            extension = re.fullmatch(r"\.[a-z]{2,5}", chunk.rstrip(")）,，;；"))  # a file name's suffix (.xlsx)
            if any(ch.isdigit() for ch in chunk) or bare in PROPER_NAMES or DATE_PATTERN.match(bare) or extension:
                continue
            found += [word for word in WORD.findall(chunk) if word not in PROPER_NAMES]
    return found


def key_shaped(texts: Iterable[str]) -> list[str]:
    return [match for text in texts for match in KEY.findall(text)]


@dataclass
class Finding:
    who: str
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.who} {self.path}: {self.problem}"


@dataclass
class Walk:
    """Every page one visitor reaches: by links from ``start`` and by the given paths."""

    client: TestClient
    who: str
    check: Callable[[str, str], list[str]]  # (path, html) → problems
    downloads: Callable[[str], bool]  # may this path answer something other than a page?
    limit: int = 400
    seen: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    linked: set[str] = field(default_factory=set)  # what some page offers this visitor as a link

    def visit(self, paths: Iterable[str]) -> None:
        queue = list(paths)
        while queue and len(self.seen) < self.limit:
            path = queue.pop(0)
            if path in self.seen or _not_a_page(path):
                continue
            self.seen.add(path)
            queue += self._one(path)
        # A dead end: a page offers a link that answers this visitor with a refusal (a route filled from the
        # database may refuse a visitor; a link shown to them may not).
        for path in sorted(self.linked):
            if self.statuses.get(path, 200) >= 400:
                self.findings.append(Finding(self.who, path, f"a page links here and it answers {self.statuses[path]}"))

    def _one(self, path: str) -> list[str]:
        answer = self.client.get(path)
        self.statuses[path] = answer.status_code
        kind = answer.headers.get("content-type", "").split(";")[0]
        if answer.status_code >= 500:
            self.findings.append(Finding(self.who, path, f"answered {answer.status_code}"))
        if kind != "text/html":
            if not self.downloads(path):
                self.findings.append(Finding(self.who, path, f"answered {kind or 'nothing'}, not a page"))
            return []
        reader = read(answer.text)
        self.findings += [Finding(self.who, path, problem) for problem in self.check(path, answer.text)]
        found = []
        for href, download in reader.links:
            target = urlsplit(urljoin(f"http://testserver{path}", href))
            if target.netloc != "testserver":
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            if download:
                self.seen.add(local)  # a file to save, not a page: checked when a route declares it
            else:
                found.append(local)
                self.linked.add(local)
        return found


def _not_a_page(path: str) -> bool:
    """What a walk does not follow: the language switch (each walk has its language), logging out, the API and
    its documents, and static files."""
    parts = urlsplit(path)
    return (
        "lang=" in parts.query
        or parts.path == "/logout"
        or parts.path.startswith(("/api/", "/static/", "/docs", "/openapi", "/redoc"))
    )


# --- every GET page route, with its path filled from the data -------------------------------------------------


@dataclass(frozen=True)
class PageRoute:
    path: str
    route: APIRoute

    @property
    def regex(self) -> re.Pattern[str]:
        return compile_path(self.path)[0]

    @property
    def is_download(self) -> bool:
        """A route that answers a file (JSON record, ODRL document, ZIP): one not declared as an HTML page."""
        declared = self.route.response_class
        return not (isinstance(declared, type) and issubclass(declared, HTMLResponse))


def page_routes(app: Any) -> list[PageRoute]:
    """The app's GET routes that are pages or files of pages (left out of the API schema)."""
    return [PageRoute(route.path, route) for route in routes.page_routes(app)]


def _table_for(parameter: str) -> Any:
    """The mapped table a path parameter names: ``agreement_id`` → agreement, ``source_id`` →
    source_connection, ``user_id`` → app_user."""
    stem = parameter.removesuffix("_id")
    tables = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}
    for name in sorted(tables):
        if name == stem:
            return tables[name]
    for name in sorted(tables):
        if name.startswith(stem + "_") or name.endswith("_" + stem):
            return tables[name]
    return None


def values_of(session: Any, parameter: str, *, most: int = 3) -> list[str]:
    """Up to ``most`` real values for a path parameter, newest first; ``code`` is a resource's code."""
    if parameter == "code":
        model, column = _table_for("resource"), "code"
    elif parameter == "month":  # a statement's month: this one, and the ones the meter has lines in
        lines = _table_for("meter_line")
        months = session.scalars(select(lines.month).distinct().order_by(lines.month.desc()).limit(most))
        return list(dict.fromkeys([clock.today().strftime("%Y-%m"), *months]))[:most]
    elif parameter == "consumer_id":  # a statement's consumer: the organisations metered
        lines = _table_for("meter_line")
        return [str(value) for value in session.scalars(select(lines.consumer_id).distinct().limit(most))]
    elif parameter == "year":
        return [str(clock.today().year - 1), str(clock.today().year)]
    elif parameter == "seq":  # a ledger entry: the first and the newest
        entries = _table_for("ledger_entry")
        newest = session.scalar(select(entries.seq).order_by(entries.seq.desc()).limit(1))
        return ["0", str(newest)] if newest else ["0"]
    elif parameter == "view":  # an audit view
        return ["resources", "contracts", "calls", "jobs", "statements"]  # every one
    elif parameter == "slug":  # a figure of an annual report
        return ["calls", "posted"]
    elif parameter in ("operator_id", "department_id"):  # an organisation of that kind
        organisations = _table_for("organisation")
        kind = "operator" if parameter == "operator_id" else "provider"
        found = select(organisations.id).where(organisations.kind == kind).order_by(organisations.id.desc())
        return [str(value) for value in session.scalars(found.limit(most))]
    else:
        model, column = _table_for(parameter), "id"
    if model is None or not parameter.endswith(("_id", "code")):
        raise LookupError(
            f"tests/pages.py cannot fill the path parameter {{{parameter}}}: name it <table>_id, or teach "
            f"values_of where its values come from"
        )
    attribute = getattr(model, column)
    return [str(value) for value in session.scalars(select(attribute).order_by(model.id.desc()).limit(most))]


def filled_paths(route: PageRoute, session: Any) -> Iterator[str]:
    names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
    if not names:
        yield route.path
        return
    try:
        choices = [values_of(session, name) for name in names]
    except LookupError:
        if route.is_download:  # a file made for one answer (an export's token): reached by that page's link
            return
        raise
    for values in islice(product(*choices), 6):
        path = route.path
        for name, value in zip(names, values, strict=True):
            path = re.sub(r"{" + name + r"(?::\w+)?}", value, path)
        yield path
