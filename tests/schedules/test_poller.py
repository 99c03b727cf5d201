"""The source poller against a schedule server on 127.0.0.1 that honours conditional requests."""

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec
import pytest

from core.db import create_engine, session_factory
from core.plugins import build_plugin_manager
from core.schedules.poller import SourcePoller
from core.settings import ScheduleSource, Settings
from tests.conftest import shared_file

YASNO = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"


class ScheduleServer:
    """Serves one body with an ETag; answers 304 when the client already has it."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.status = 200
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(dict(self.headers))
                etag = '"' + hashlib.sha256(server.body).hexdigest()[:16] + '"'
                if server.status != 200:
                    self.send_response(server.status)
                    self.end_headers()
                elif self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(server.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/planned-outages"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "ScheduleServer":
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ScheduleServer]:
    with ScheduleServer(shared_file(YASNO).read_bytes()) as running:
        yield running


def _polled(settings: Settings, url: str) -> Settings:
    kyiv = settings.regions["kyiv"]
    source = ScheduleSource(name="YASNO", format="yasno", url=url, poll_seconds=60)
    regions = dict(settings.regions) | {
        "kyiv": msgspec.structs.replace(kyiv, schedule_sources=(source,))
    }
    return msgspec.structs.replace(settings, regions=regions)


async def _poll(settings: Settings, times: int = 1) -> list[str]:
    engine = create_engine(settings.database_url)
    poller = SourcePoller(settings, build_plugin_manager(settings), session_factory(engine))
    region, source = poller.sources()[0]
    statuses = []
    async with httpx.AsyncClient() as client:
        for _ in range(times):
            statuses.append((await poller.poll_once(client, region, source)).status)
    await engine.dispose()
    return statuses


async def test_unchanged_source_costs_one_304(settings: Settings, server: ScheduleServer) -> None:
    statuses = await _poll(_polled(settings, server.url), times=2)
    assert statuses == ["imported", "unchanged"]
    assert server.requests[1]["If-None-Match"].startswith('"')


async def test_changed_source_makes_a_new_version(
    settings: Settings, server: ScheduleServer
) -> None:
    polled = _polled(settings, server.url)
    await _poll(polled)
    document = json.loads(server.body)
    document["36.1"]["today"]["slots"][0]["end"] = 450
    document["36.1"]["today"]["slots"][1]["start"] = 450
    server.body = json.dumps(document).encode()

    engine = create_engine(settings.database_url)
    poller = SourcePoller(polled, build_plugin_manager(polled), session_factory(engine))
    region, source = poller.sources()[0]
    async with httpx.AsyncClient() as client:
        result = await poller.poll_once(client, region, source)
    await engine.dispose()
    assert result.status == "imported"
    assert result.report is not None
    assert result.report.files[0].changed is True


async def test_malformed_answer_changes_nothing(settings: Settings, server: ScheduleServer) -> None:
    server.body = server.body[: len(server.body) // 2]
    assert await _poll(_polled(settings, server.url)) == ["failed"]


async def test_server_error_is_reported(settings: Settings, server: ScheduleServer) -> None:
    server.status = 503
    assert await _poll(_polled(settings, server.url)) == ["failed"]


def test_sources_without_poll_interval_are_not_polled(settings: Settings) -> None:
    poller = SourcePoller(
        settings,
        build_plugin_manager(settings),
        session_factory(create_engine(settings.database_url)),
    )
    assert poller.sources() == []
