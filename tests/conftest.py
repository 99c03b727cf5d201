"""Fixtures shared by the whole suite."""

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core import migrate
from core.app import create_app
from core.db import create_engine, session_factory
from core.models import metadata
from core.settings import Settings, load_settings
from tests.notifications.receivers import SmtpReceiver

SHARED_DATA = Path(
    os.environ.get("DSO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def shared_file(relative: str) -> Path:
    """Return a file of the real public data set, or skip the test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {relative} is not present beside this checkout")
    return path


# Databases: every test that asks for `database_url` runs on the embedded SQLite default and,
# when DSO_TEST_POSTGRES_URL is set (as .ci/run does), on PostgreSQL too.
POSTGRES_URL = os.environ.get("DSO_TEST_POSTGRES_URL", "")


def _backends() -> list[Any]:
    marks = [] if POSTGRES_URL else [pytest.mark.skip(reason="DSO_TEST_POSTGRES_URL is not set")]
    return ["sqlite", pytest.param("postgresql", marks=marks)]


@pytest.fixture(scope="session")
def _postgres_migrated() -> str:
    """Rebuild the PostgreSQL test schema from the migrations once per run.

    The test database outlives a run, so a schema left by an older checkout is dropped first.
    """
    asyncio.run(_reset_schema(POSTGRES_URL))
    migrate.upgrade(POSTGRES_URL)
    return POSTGRES_URL


async def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run, which each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    # Fold the write-ahead log into the file, so copying the file alone copies everything.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"

    url: str = request.getfixturevalue("_postgres_migrated")
    asyncio.run(_empty_tables(url))
    return url


async def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


STAFF_TOKEN = "test-staff-token"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings of the repository's config/ pointed at the test database, with a staff token."""
    environ = {
        "DSO_INDEX_POLL_SECONDS": "0.05",
        "DSO_DATABASE_URL": database_url,
        "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
        "DSO_LOG_LEVEL": "warning",
    }
    return load_settings(environ=environ)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


def staff_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {STAFF_TOKEN}"}


async def refresh_indexes(client: AsyncTestClient[Litestar]) -> None:
    """Wait until the app's in-memory indexes reflect what the database holds now.

    The app runs on the test client's own event loop, so the test reads the change counters
    with its own engine and waits for the app's poller (every 0.05 s here) to catch up.
    """
    engine = create_engine(client.app.state.settings.database_url)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT name, version FROM data_versions"))
        expected = {name: version for name, version in rows.all()}
    await engine.dispose()
    for _ in range(200):
        if client.app.state.indexes.versions == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the app did not load data versions {expected}")


@asynccontextmanager
async def database_session(client: AsyncTestClient[Litestar]) -> AsyncIterator[AsyncSession]:
    """Open a session on the app's database from the test's own event loop.

    The app's engine lives on the test client's loop, and asyncpg connections cannot cross
    loops, so a test reads the database through an engine of its own.
    """
    engine = create_engine(client.app.state.settings.database_url)
    try:
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


REDIS_URL = os.environ.get("DSO_TEST_REDIS_URL", "")


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A key prefix of its own on the test Redis server, deleted afterwards; skip without Redis."""
    if not REDIS_URL:
        pytest.skip("DSO_TEST_REDIS_URL is not set; this test needs a Redis server")
    namespace = f"dso-test-{uuid.uuid4().hex[:8]}"
    yield namespace
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    """A local SMTP server on 127.0.0.1 that keeps every message it accepts."""
    receiver = SmtpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
