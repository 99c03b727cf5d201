"""`dso demo load` beside real data: the demo fills an empty region and never overwrites real data."""

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core.addresses.models import Building, Street
from core.cli import main
from core.db import create_engine
from core.demo import demo_update_time
from core.schedules.models import ScheduleVersion
from core.settings import Settings
from core.timezone import local_minute_to_utc, now_utc
from tests.conftest import shared_file

HOUSES = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
STREET = "вул. Здановської Юлії"
DAY = "2026-01-29"


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    return settings


def _dso(*args: str) -> None:
    assert main(list(args)) == 0


def _import_real_houses() -> None:
    _dso("import", "addresses", "--region", "kyiv", "--street", STREET, str(shared_file(HOUSES)))


def _queues_of(settings: Settings, number: str) -> list[Any]:
    async def query() -> list[Any]:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as connection:
                queues = await connection.scalar(
                    select(Building.queues)
                    .join(Street, Building.street_id == Street.id)
                    .where(
                        Street.region == "kyiv", Street.name == STREET, Building.number == number
                    )
                )
        finally:
            await engine.dispose()
        return list(queues or [])

    return asyncio.run(query())


def _kyiv_version_files(settings: Settings) -> list[str]:
    async def query() -> list[str]:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as connection:
                rows = await connection.scalars(
                    select(ScheduleVersion.filename).where(ScheduleVersion.region == "kyiv")
                )
                return list(rows)
        finally:
            await engine.dispose()

    return asyncio.run(query())


def test_demo_load_keeps_real_queue(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _dso("demo", "load", "--date", DAY)
    _import_real_houses()
    capsys.readouterr()

    _dso("demo", "load", "--date", DAY)

    assert _queues_of(cli_env, "71/З") == ["36.1"]
    assert "region kyiv already has addresses; demo data skipped" in capsys.readouterr().out


def test_demo_load_into_real_addresses_only(cli_env: Settings) -> None:
    _import_real_houses()

    _dso("demo", "load", "--date", DAY)

    assert _queues_of(cli_env, "71/З") == ["36.1"]
    assert not any("demo" in name for name in _kyiv_version_files(cli_env))


def test_demo_load_skips_real_schedules(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _dso("import", "schedule", "--region", "kyiv", str(shared_file(PAGE)))
    capsys.readouterr()

    _dso("demo", "load", "--date", DAY)

    assert _kyiv_version_files(cli_env) == [str(shared_file(PAGE))]
    assert "region kyiv already has schedules from real files" in capsys.readouterr().out


def test_demo_load_twice_changes_nothing(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _dso("demo", "load", "--date", DAY)
    versions = _kyiv_version_files(cli_env)
    capsys.readouterr()

    _dso("demo", "load", "--date", DAY)

    assert _kyiv_version_files(cli_env) == versions
    assert "skipped" not in capsys.readouterr().out


def test_demo_load_next_day_adds_version(cli_env: Settings) -> None:
    _dso("demo", "load", "--date", DAY)
    versions = _kyiv_version_files(cli_env)

    _dso("demo", "load", "--date", "2026-01-30")

    assert len(_kyiv_version_files(cli_env)) > len(versions)


def test_demo_update_time_past_day() -> None:
    day = dt.date(2026, 1, 29)

    assert demo_update_time(day) == local_minute_to_utc(day, 6 * 60)


def test_demo_update_time_never_ahead() -> None:
    tomorrow = (now_utc() + dt.timedelta(days=1)).date()

    assert demo_update_time(tomorrow) <= now_utc()
