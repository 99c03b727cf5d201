"""Smoke run of the load test scenario: a tiny dataset, a real server on 127.0.0.1, a few seconds.

Locust is run in a subprocess, because it monkey-patches the standard library with gevent on
import, which the asyncio event loop of this test session must not see. The test asserts that
no request failed and that the content checks ran, never a response time.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
READY_SECONDS = 30
RUN_SECONDS = 8

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust is not installed"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("DSO_")}
    return environ | {"DSO_DATABASE_URL": database_url, "DSO_LOG_LEVEL": "warning"} | extra


def _run(command: list[str], environ: dict[str, str], timeout: float) -> None:
    result = subprocess.run(
        command, env=environ, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited before it was ready"
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"the server was not ready within {READY_SECONDS} s")


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[str, Path]:
    """Demo data plus a few hundred generated buildings in a fresh SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'loadtest.sqlite3'}"
    samples = tmp_path / "addresses.csv"
    environ = _environment(url)
    _run([str(BIN / "dso"), "db", "upgrade"], environ, timeout=60)
    _run([str(BIN / "dso"), "demo", "load"], environ, timeout=60)
    generate = [sys.executable, "-m", "loadtests.dataset", "--buildings", "400"]
    _run([*generate, "--database-url", url, "--out", str(samples)], environ, timeout=60)
    return url, samples


@pytest.fixture
def server(dataset: tuple[str, Path], tmp_path: Path) -> Iterator[str]:
    url = f"http://127.0.0.1:{_free_port()}"
    port = url.rsplit(":", 1)[1]
    command = [str(BIN / "dso"), "serve", "--host", "127.0.0.1", "--port", port, "--workers", "1"]
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            command, env=_environment(dataset[0]), cwd=PROJECT_ROOT, stdout=log, stderr=log
        )
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_blackout_scenario_runs_clean(
    server: str, dataset: tuple[str, Path], tmp_path: Path
) -> None:
    summary_path = tmp_path / "summary.json"
    environ = _environment(
        dataset[0],
        DSO_LOADTEST_ADDRESSES=str(dataset[1]),
        DSO_LOADTEST_SUMMARY=str(summary_path),
        DSO_LOADTEST_PACE="0.05",
        DSO_LOADTEST_LATENCY_LIMITS="off",
    )
    command = [
        *(sys.executable, "-m", "locust", "-f", "loadtests/locustfile.py", "--headless"),
        *("--host", server, "--shape", "none", "--users", "8", "--spawn-rate", "8"),
        *("--run-time", f"{RUN_SECONDS}s", "--only-summary", "--csv", str(tmp_path / "run")),
    ]
    result = subprocess.run(
        command, env=environ, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    checks = summary["passed_checks"]
    output = f"{result.stdout}\n{result.stderr}"

    assert result.returncode == 0, output
    assert summary["broken"] == [], output
    assert summary["requests"]["Aggregated"]["failures"] == 0, output
    for name in ("autocomplete", "buildings", "lookup", "lookup-recheck"):
        assert checks.get(name, 0) > 0, f"no {name} content check ran: {checks}"
