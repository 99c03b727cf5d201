"""With the database gone, the lookup path keeps answering from memory and writes answer 503."""

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.cli import main
from core.demo import demo_days
from core.formats.yasno import write_yasno_planned_outages
from core.settings import load_settings
from core.timezone import local_day, now_utc
from tests.conftest import STAFF_TOKEN, staff_headers


@pytest.fixture
async def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite database with today's demo data, as `make run` leaves it."""
    path = tmp_path / "degraded.sqlite3"
    monkeypatch.setenv("DSO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert (
        await asyncio.to_thread(main, ["demo", "load", "--date", local_day(now_utc()).isoformat()])
        == 0
    )
    return path


async def test_lookup_answers_while_database_is_gone(sqlite_file: Path) -> None:
    environ = {
        "DSO_DATABASE_URL": f"sqlite+aiosqlite:///{sqlite_file}",
        "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
    }
    async with AsyncTestClient(app=create_app(load_settings(environ=environ))) as client:
        before = (
            await client.get("/api/v1/regions/kyiv/outages", params={"address": "вул. Хрещатик 22"})
        ).json()
        await client.app.state.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        sqlite_file.mkdir()  # a folder where the file was: every new connection now fails

        after = await client.get(
            "/api/v1/regions/kyiv/outages", params={"address": "вул. Хрещатик 22"}
        )
        assert after.status_code == 200, after.text
        assert after.json()["queue"] == before["queue"]
        assert after.json()["days"] == before["days"]

        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["index"]["versions"]["addresses"] >= 1

        write = await client.post(
            "/api/v1/admin/regions/kyiv/schedules",
            content=_valid_schedule(),
            headers=staff_headers(),
        )
        assert write.status_code == 503, write.text
        assert write.headers["content-type"].startswith("application/problem+json")


def _valid_schedule() -> bytes:
    """A well-formed YASNO answer for tomorrow, so the import gets as far as the database."""
    tomorrow = local_day(now_utc())
    queues = load_settings().regions["kyiv"].queue_set.ids()
    document = write_yasno_planned_outages(demo_days(tomorrow, queues), updated_at=now_utc())
    return msgspec.json.encode(document)


async def test_publish_in_one_worker_reaches_another(sqlite_file: Path) -> None:
    environ = {
        "DSO_DATABASE_URL": f"sqlite+aiosqlite:///{sqlite_file}",
        "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
        "DSO_INDEX_POLL_SECONDS": "0.1",
    }
    first = AsyncTestClient(app=create_app(load_settings(environ=environ)))
    second = AsyncTestClient(app=create_app(load_settings(environ=environ)))
    async with first, second:
        params = {"address": "вул. Хрещатик 22"}
        before = (await second.get("/api/v1/regions/kyiv/outages", params=params)).json()

        published = await first.post(
            "/api/v1/admin/regions/kyiv/schedules",
            content=_all_day_outage(),
            headers=staff_headers(),
        )
        assert published.status_code == 200, published.text

        seen = await _wait_for_change(second, params, before["days"])
        assert seen["days"][0]["intervals"] != before["days"][0]["intervals"]


def _all_day_outage() -> bytes:
    """A YASNO answer in which every Kyiv queue is off all of today."""
    today = local_day(now_utc())
    queues = load_settings().regions["kyiv"].queue_set.ids()
    days = {today: {queue: [(0, 1440)] for queue in queues}}
    return msgspec.json.encode(write_yasno_planned_outages(days, updated_at=now_utc()))


async def _wait_for_change(
    client: AsyncTestClient[Any], params: dict[str, str], days: Any
) -> dict[str, Any]:
    """Poll the lookup until its days differ from `days`; give up after 100 tries, 0.1 s apart."""
    for _ in range(100):
        body: dict[str, Any] = (
            await client.get("/api/v1/regions/kyiv/outages", params=params)
        ).json()
        if body["days"] != days:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError("the second worker never saw the publish")
