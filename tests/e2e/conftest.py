"""The browser tests' server and browser: the API tests' coalition served by uvicorn in a
subprocess, and Debian's Chromium driven by pytest-playwright (never a downloaded browser).

Chromium missing: the tests skip, or fail under RAMSTEIN_REQUIRE_ALL=1 (as in CI).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.api.coalition import ApiCoalition, build
from tests.conftest import require
from tests.pgserver import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
"""Full-page screenshots of every page the tests visit (not committed)."""
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Server:
    url: str
    api: ApiCoalition


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        require("Chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *ARGS],
    }


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 and a free port, serving a copy of the built coalition."""
    built = tmp_path_factory.mktemp("coalition")
    api = build(built)
    run = tmp_path_factory.mktemp("server")
    database = run / "served.sqlite"
    shutil.copyfile(api.path, database)
    port = free_port()
    env = {
        **os.environ,
        "RAMSTEIN_DATABASE_URL": f"sqlite:///{database}",
        "RAMSTEIN_HOST_KEY_FILE": str(api.settings.host_key_file),
        "RAMSTEIN_LOG_ORIGIN": api.settings.log_origin,
        "RAMSTEIN_SESSION_KEY_FILE": str(api.settings.session_key_file),
        "RAMSTEIN_GROUP_NAME": api.settings.group_name,
        "RAMSTEIN_ANSWER_CACHE_MB": str(api.settings.answer_cache_mb),
    }
    log_path = run / "uvicorn.log"
    command = [
        sys.executable, "-m", "uvicorn", "ramstein.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        # cwd: the run directory, so no stray .env file is read.
        process = subprocess.Popen(
            command, cwd=run, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log_path)
        yield Server(url, api)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/status", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer in {STARTUP_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    """pytest-playwright's pages resolve relative URLs against the server."""
    return server.url


# --- watching the browser ------------------------------------------------------------------


@dataclass
class Watch:
    """The console errors and uncaught page errors of the pages a test watches; and where
    its screenshots go."""

    test: str
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def page(self, page: Page) -> Page:
        def console(message: Any) -> None:
            if message.type != "error":
                return
            source = message.location.get("url", "")
            self.errors.append(f"console: {message.text} [{source or page.url}]")

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error} [{page.url}]"))
        return page

    def allow(self, pattern: str) -> None:
        """An expected console error, such as the browser's note of a deliberate 4xx answer."""
        self.allowed.append(re.compile(pattern))

    def shot(self, page: Page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{self.test}-{name}.png", full_page=True)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a.search(e) for a in self.allowed)]


@pytest.fixture
def watch(request: pytest.FixtureRequest, page: Page) -> Iterator[Watch]:
    """Watches `page` (and any page passed to `watch.page`); the test fails on an error."""
    found = Watch(re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-"))
    found.page(page)
    yield found
    for error in found.errors:
        print(error)  # shown with a failing test's output


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a passing test that made the browser report an error (in its call, not teardown)."""
    result = yield
    watch = getattr(item, "funcargs", {}).get("watch")
    if isinstance(watch, Watch) and (errors := watch.unexpected()):
        pytest.fail("the browser reported errors:\n" + "\n".join(errors), pytrace=False)
    return result
