"""Browser tests: Playwright for Python driving Debian's Chromium (no downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "test-reports" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: apt-get install -y chromium (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class RecordedPage:
    """A page plus every host it sent a request to."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.hosts: set[str] = set()
        page.on("request", lambda request: self.hosts.add(urlparse(request.url).hostname or request.url))


@pytest.fixture
def browser_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[RecordedPage]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    recorded = RecordedPage(context.new_page())
    recorded.page.set_default_timeout(15_000)
    yield recorded
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    recorded.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()


def session_login(page: Any, base_url: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{base_url}/api/auth/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}*")


def path_of(url: str) -> Path:
    return Path(urlparse(url).path)
