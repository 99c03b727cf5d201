"""The region page in a real headless Chromium against `dso serve` on the demo data of 2026-01-29.

The server runs on 127.0.0.1 on a free port with its own SQLite file. The test types an address
into the form like a customer and keeps a screenshot under `var/test-artifacts/`.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DSO = Path(sys.executable).parent / "dso"
ARTIFACTS = PROJECT_ROOT / "var" / "test-artifacts"
ADDRESS = "вул. Здановської Юлії 71/З"
NOON = "2026-01-29T12:00:00+02:00"
START_SECONDS = 30
COMMAND_SECONDS = 120

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _dso(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(DSO), *args], env=env, check=True, timeout=COMMAND_SECONDS, capture_output=True
    )


def _wait_until_live(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"dso serve exited with code {server.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{url}/health/live", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise TimeoutError(f"dso serve did not answer at {url} within {START_SECONDS} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and load a fresh SQLite file, serve it on a free local port, stop it afterwards."""
    folder = tmp_path_factory.mktemp("page-server")
    env = {
        **os.environ,
        "DSO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'page.sqlite3'}",
        "DSO_LOG_LEVEL": "warning",
    }
    _dso(env, "db", "upgrade")
    _dso(env, "demo", "load", "--date", "2026-01-29")

    port = _free_port()
    log_path = folder / "serve.log"
    log = log_path.open("wb")
    command = [str(DSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_live(f"http://127.0.0.1:{port}", server, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(server)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _api_queue(url: str) -> str:
    query = urllib.parse.urlencode({"address": ADDRESS, "at": NOON})
    with urllib.request.urlopen(f"{url}/api/v1/regions/kyiv/outages?{query}", timeout=10) as answer:
        queue: str = json.load(answer)["queue"]
        return queue


def _search(browser: Any, url: str, width: int) -> Any:
    """Open the Kyiv page with scripts off, type the address like a customer and submit it."""
    page = browser.new_page(
        viewport={"width": width, "height": 900}, locale="uk-UA", java_script_enabled=False
    )
    page.set_default_timeout(15_000)
    page.goto(f"{url}/regions/kyiv?at={urllib.parse.quote(NOON)}")
    page.locator("#address").press_sequentially(ADDRESS)
    page.click("button[type=submit]")
    page.wait_for_selector("p.queue")
    return page


@pytest.mark.parametrize(("width", "name"), [(1000, "page-kyiv.png"), (390, "page-kyiv-390.png")])
def test_address_search_shows_queue(server_url: str, browser: Any, width: int, name: str) -> None:
    queue = _api_queue(server_url)
    page = _search(browser, server_url, width)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)

        assert "address=" in page.url
        assert page.inner_text("p.queue") == f"Черга {queue}"
        assert page.locator(".day .bar").count() == 2
        assert page.locator(".slots li").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()


def test_print_hides_form_keeps_timeline(server_url: str, browser: Any) -> None:
    page = _search(browser, server_url, 800)
    try:
        page.emulate_media(media="print")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-kyiv-print.png"), full_page=True)

        assert not page.locator("form").is_visible()
        assert page.locator(".day .bar").first.is_visible()
        assert page.locator(".slots li").first.is_visible()
    finally:
        page.close()
