"""Background jobs: dramatiq broker selection, the transactional outbox and its relay.

A job is enqueued by writing an `OutboxMessage` row in the same transaction as the business
change (`add_to_outbox`). The relay reads committed rows and hands them to dramatiq, so a
rolled-back change enqueues nothing and a crash after the commit loses nothing: the row waits
in the database until a relay runs. A row is relayed again if its job never finished, so every
job function must be idempotent, take ids rather than objects and open its own session.

Two setups:
- embedded (no `redis.url`): the app process runs an in-process dramatiq worker on a
  `StubBroker` and the relay. Messages live in memory, so at start the runner relays again
  every row whose job did not finish before the last stop or crash;
- Redis (`DSO_REDIS_URL`): `dso worker` runs the dramatiq worker and the relay; the app only
  writes outbox rows.
"""

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import dramatiq
import msgspec
import structlog
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware, Retries
from sqlalchemy import JSON, Index, Integer, String, event, select, update
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import NullPool

from core.db import Base, UTCDateTime
from core.errors import ConfigError
from core.settings import Settings
from core.timezone import now_utc

log = structlog.get_logger(__name__)

StructT = TypeVar("StructT", bound=msgspec.Struct)


class OutboxMessage(Base):
    """A job written in the transaction of the change that caused it, waiting to be relayed."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The relay hands the row to dramatiq no earlier than this instant.
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    relayed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # `done`, or `failed` when the job raised a permanent error or ran out of retries.
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)

    __table_args__ = (Index("ix_outbox_messages_pending", "relayed_at", "available_at"),)


class JobSettings(msgspec.Struct, frozen=True):
    relay_poll_seconds: float = 1.0
    """How often the relay looks for committed outbox rows, in seconds."""
    worker_threads: int = 4
    """Threads of the dramatiq worker that `dso worker` or the embedded runner starts."""
    heartbeat_seconds: float = 60.0
    """Redis setup: a worker silent this long is dead, and its unfinished messages go back to
    the queue for the other workers (or for the same worker once it is started again)."""
    maintenance_chance: int = 1000
    """Redis setup: how many broker commands in a million also look for dead workers' messages."""
    redis_namespace: str = "dramatiq"
    """Redis setup: prefix of the broker's keys, so deployments (or test runs) sharing one Redis
    server never take each other's messages."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "JobSettings":
        """Read `DSO_JOBS_RELAY_POLL_SECONDS`, `DSO_JOBS_WORKER_THREADS` and the other fields."""
        return settings_from_env(cls, prefixed_variables(cls, "DSO_JOBS_"), environ)


def settings_from_env(
    kind: type[StructT],
    variables: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> StructT:
    """Build a settings struct from the variables named per field; raise ConfigError naming a bad one."""
    env = os.environ if environ is None else environ
    raw = {field: env[variable] for field, variable in variables.items() if variable in env}
    try:
        return msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError as error:
        reason, _, where = str(error).partition(" - at `$.")
        field = where.rstrip("`")
        raise ConfigError(variables.get(field, field), field, reason) from error


def prefixed_variables(kind: type[msgspec.Struct], prefix: str) -> dict[str, str]:
    """Name each field's variable `<prefix><FIELD>`, e.g. `DSO_JOBS_WORKER_THREADS`."""
    return {field: f"{prefix}{field.upper()}" for field in kind.__struct_fields__}


@dataclass(frozen=True)
class JobContext:
    """What a job function receives besides its ids: the settings and its own sessions."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Job:
    """A job function, called as `function(context, *args)`, and how dramatiq retries it."""

    name: str
    function: Callable[..., Awaitable[None]]
    queue: str = "default"
    max_retries: int = 10
    min_backoff_ms: int = 15_000
    max_backoff_ms: int = 3_600_000
    permanent_errors: tuple[type[Exception], ...] = ()


def platform_jobs(environ: Mapping[str, str] | None = None) -> list[Job]:
    """Return every job of the platform. Domain modules are imported here to avoid import cycles."""
    from core.notifications.jobs import job_definitions
    from core.readings import delivery
    from core.readings.notices import reading_jobs

    return [*job_definitions(environ), *reading_jobs(), *delivery.job_definitions(environ)]


def add_to_outbox(
    session: AsyncSession,
    actor_name: str,
    args: Sequence[int | str],
    *,
    available_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Add a job to the caller's transaction; it reaches dramatiq only after that transaction commits."""
    now = now_utc()
    row = OutboxMessage(
        actor_name=actor_name,
        args=list(args),
        created_at=now,
        available_at=available_at or now,
    )
    session.add(row)
    return row


def build_broker(
    settings: Settings,
    *,
    namespace: str | None = None,
    job_settings: JobSettings | None = None,
) -> dramatiq.Broker:
    """Return a Redis broker when `redis.url` is set, else an in-memory broker for the embedded worker."""
    url = settings.platform.redis.url
    config = job_settings or JobSettings.from_env()
    broker: dramatiq.Broker
    if url:
        broker = RedisBroker(
            url=url,
            namespace=namespace or config.redis_namespace,
            heartbeat_timeout=int(config.heartbeat_seconds * 1000),
            maintenance_chance=config.maintenance_chance,
        )
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    return broker


def worker_engine(database_url: str) -> AsyncEngine:
    """Create an engine without a pool for job functions.

    Job functions run on the event loop thread of dramatiq's AsyncIO middleware, not on the
    app's loop, and pooled async connections must not move between loops.
    """
    if not database_url.startswith("sqlite"):
        return create_async_engine(database_url, poolclass=NullPool)
    engine = create_async_engine(database_url, poolclass=NullPool, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def declare_jobs(broker: dramatiq.Broker, context: JobContext, jobs: Sequence[Job]) -> None:
    """Declare each job as a dramatiq actor on `broker`, bound to `context`."""
    broker.add_middleware(OutboxCompletion(context.sessions), before=Retries)
    for job in jobs:
        declare = dramatiq.actor(
            broker=broker,
            actor_name=job.name,
            queue_name=job.queue,
            max_retries=job.max_retries,
            min_backoff=job.min_backoff_ms,
            max_backoff=job.max_backoff_ms,
            throws=job.permanent_errors,
        )
        declare(_bind(job, context))


def _bind(job: Job, context: JobContext) -> Callable[..., Awaitable[None]]:
    async def run(*args: Any) -> None:
        await job.function(context, *args)

    run.__name__ = job.name.replace(".", "_")
    return run


class OutboxCompletion(Middleware):
    """Record on the outbox row that its job finished, so no relay hands it out again.

    It sits before `Retries` in the middleware list, so its `after_` hook runs after Retries
    has decided whether a failed message is retried (the row stays unfinished) or failed.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is not None and not message.failed:
            return
        self._finish(message, "failed" if message.failed else "done")

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._finish(message, "done")

    def _finish(self, message: Any, outcome: str) -> None:
        outbox_id = message.options.get("outbox_id")
        loop_thread = get_event_loop_thread()
        if outbox_id is None or loop_thread is None:
            return
        loop_thread.run_coroutine(finish_outbox_message(self._sessions, outbox_id, outcome))


async def finish_outbox_message(
    sessions: async_sessionmaker[AsyncSession], outbox_id: int, outcome: str
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(finished_at=now_utc(), outcome=outcome)
        )
    log.debug("outbox.finished", outbox_id=outbox_id, outcome=outcome)


class OutboxRelay:
    """Hand committed, due outbox rows to dramatiq and mark them relayed."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: dramatiq.Broker,
        *,
        poll_seconds: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._task: asyncio.Task[None] | None = None

    async def relay_once(self) -> int:
        """Relay up to one batch of due rows; return how many were handed to dramatiq.

        A crash between the hand-off and the commit relays those rows again later, which the
        idempotent job functions tolerate. On PostgreSQL `SKIP LOCKED` keeps two relays apart.
        """
        async with self._sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.relayed_at.is_(None),
                        OutboxMessage.available_at <= now_utc(),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await asyncio.to_thread(self._broker.enqueue, self._message(row))
                row.relayed_at = now_utc()
        if rows:
            log.info("outbox.relayed", count=len(rows), first_id=rows[0].id)
        return len(rows)

    def _message(self, row: OutboxMessage) -> dramatiq.Message[Any]:
        actor = self._broker.get_actor(row.actor_name)
        return dramatiq.Message(
            queue_name=actor.queue_name,
            actor_name=row.actor_name,
            args=tuple(row.args),
            kwargs={},
            options={"outbox_id": row.id},
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="outbox.relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self) -> None:
        failing = False
        while True:
            relayed = 0
            try:
                relayed = await self.relay_once()
                failing = False
            except Exception as error:
                # Logged once per run of failures: the database or Redis may be down for a while.
                if not failing:
                    log.error(
                        "outbox.relay_failed", error=type(error).__name__, detail=str(error)[:200]
                    )
                failing = True
            if relayed < self._batch_size:
                await asyncio.sleep(self._poll_seconds)


async def requeue_unfinished(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Mark every relayed but unfinished row for relaying again; return how many there were.

    Only for the embedded broker, whose queued messages die with the process.
    """
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.relayed_at.is_not(None), OutboxMessage.finished_at.is_(None))
            .values(relayed_at=None)
        )
    count: int = result.rowcount  # type: ignore[attr-defined]
    if count:
        log.warning("outbox.requeued_unfinished", count=count)
    return count


class JobRunner:
    """A dramatiq worker and the outbox relay, started and stopped together.

    The relay uses the caller's sessions (the loop that calls `start`); the job functions get
    their own pool-less engine, because they run on dramatiq's event loop thread.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        broker: dramatiq.Broker | None = None,
        jobs: Sequence[Job] | None = None,
        job_settings: JobSettings | None = None,
    ) -> None:
        self.config = job_settings or JobSettings.from_env()
        self.broker = broker or build_broker(settings, job_settings=self.config)
        self._engine = worker_engine(settings.database_url)
        context = JobContext(settings, async_sessionmaker(self._engine, expire_on_commit=False))
        declare_jobs(self.broker, context, platform_jobs() if jobs is None else jobs)
        self.relay = OutboxRelay(sessions, self.broker, poll_seconds=self.config.relay_poll_seconds)
        self._sessions = sessions
        self._worker: dramatiq.Worker | None = None

    @property
    def embedded(self) -> bool:
        return isinstance(self.broker, StubBroker)

    async def start(self) -> None:
        # In-memory messages of a previous process are gone; their rows are relayed again.
        if self.embedded:
            await requeue_unfinished(self._sessions)
        self._worker = dramatiq.Worker(
            self.broker, worker_threads=self.config.worker_threads, worker_timeout=100
        )
        await asyncio.to_thread(self._worker.start)
        self.relay.start()
        log.info("jobs.started", embedded=self.embedded, threads=self.config.worker_threads)

    async def stop(self) -> None:
        """Stop relaying, let running jobs finish (up to 30 s), then close the broker."""
        await self.relay.stop()
        if self._worker is not None:
            await asyncio.to_thread(self._worker.stop, 30_000)
            self._worker = None
        await asyncio.to_thread(self.broker.close)
        await self._engine.dispose()
        log.info("jobs.stopped", embedded=self.embedded)


def embedded_runner(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> JobRunner | None:
    """Return the in-process runner of the embedded setup, or None when Redis is configured.

    With Redis, `dso worker` runs the worker and the relay; the app only writes outbox rows.
    """
    if settings.platform.redis.url:
        return None
    return JobRunner(settings, sessions)
