"""Serving the platform on a real port and driving Debian's chromium with Playwright — the pattern every page
test follows — and a screenshot of each step, kept as an artefact of the run.

Screenshots go to ``$PUBDATA_ARTEFACTS/screenshots/<test>/<nn>-<step>.png`` (default: ``test-artefacts/`` at the
repository's root, which git ignores and ``make test`` leaves in place for CI to keep).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from pubdata.app import create_app
from pubdata.platform import Platform
from tests.scenarios import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=zh-CN",  # chromium's own words on a page (a file input's button) in Chinese, as the page's
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(platform: Platform) -> Iterator[str]:
    """Run the app under uvicorn in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def browser_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page, base: str, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page) -> None:
    page.click("form[action='/logout'] button")


# --- a screenshot per step ---------------------------------------------------------------------------------

ARTEFACTS = "PUBDATA_ARTEFACTS"
DEFAULT_ARTEFACTS = Path(__file__).parents[1] / "test-artefacts"


def artefacts_dir() -> Path:
    return Path(os.environ.get(ARTEFACTS) or DEFAULT_ARTEFACTS)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "step"


class Steps:
    """A browser page that photographs each step of a task: ``steps.shot("registration-accepted")`` writes
    ``NN-registration-accepted.png`` (numbered in the order taken) into the test's own folder, emptied when the
    test starts so that the folder shows this run only."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.taken: list[Path] = []
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{_slug(step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def test_folder(node: Any) -> Path:
    """``test_x[sqlite]`` in ``tests/web/test_y.py`` → ``screenshots/test_y.test_x-sqlite``."""
    module = Path(str(node.fspath)).stem
    return artefacts_dir() / "screenshots" / _slug(f"{module}.{node.name}")


@contextmanager
def browser_steps(request: Any) -> Iterator[Steps]:
    """A zh-CN chromium page whose steps the test photographs (``request``: pytest's, naming the folder)."""
    with browser_page() as page:
        yield Steps(page, test_folder(request.node))
