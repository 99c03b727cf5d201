"""Staff routes for reading batches: see what reached billing and send a failed batch again.

A batch is given up after a permanent error (billing rejected it, a file with other content is
in the way) or when its retries run out. Once the cause is fixed, back-office staff send it
again from here; the same batch id keeps the file name, `Idempotency-Key` and `Message-ID`.
"""

import datetime as dt

import msgspec
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import region_settings, require_staff
from core.errors import BatchNotFailedError, BatchNotFoundError, UnknownBatchStateError
from core.jobs import add_to_outbox
from core.plugins import PluginRegistry
from core.readings.delivery import DELIVER_JOB
from core.readings.models import ReadingBatch
from core.settings import Settings
from core.timezone import to_local

STATES = ("waiting", "retrying", "failed", "delivered")


class BatchOut(msgspec.Struct, frozen=True):
    """A batch of accepted readings on its way into the region's billing, as staff see it."""

    id: int
    region: str
    kind: str
    """Destination kind when the batch was gathered: `email`, `csv` or `http`."""
    reading_count: int
    state: str
    """`waiting`, `retrying`, `failed` (given up) or `delivered`."""
    created_at: dt.datetime
    attempts: int
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None
    last_error: str | None
    response: str | None
    """The destination's response, such as `HTTP 201`, `SMTP 250` or the written file name."""


def batch_state(batch: ReadingBatch) -> str:
    if batch.delivered_at is not None:
        return "delivered"
    if batch.failed_at is not None:
        return "failed"
    return "retrying" if batch.last_error else "waiting"


def batch_out(batch: ReadingBatch) -> BatchOut:
    return BatchOut(
        id=batch.id,
        region=batch.region,
        kind=batch.kind,
        reading_count=batch.reading_count,
        state=batch_state(batch),
        created_at=to_local(batch.created_at),
        attempts=batch.attempts,
        delivered_at=to_local(batch.delivered_at) if batch.delivered_at else None,
        failed_at=to_local(batch.failed_at) if batch.failed_at else None,
        last_error=batch.last_error,
        response=batch.response,
    )


class ReadingBatchStaffController(Controller):
    path = "/api/v1/admin/regions/{region:str}/readings/batches"
    tags = ["admin"]
    dependencies = {"_staff": Provide(require_staff, sync_to_thread=False)}

    @get("/", operation_id="listReadingBatches", summary="Reading batches, newest first")
    async def list_batches(
        self,
        region: str,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
        # `state` is a reserved parameter name in Litestar, so the query key is mapped.
        state_filter: str | None = Parameter(
            query="state",
            default=None,
            description="Only batches in this state: " + ", ".join(STATES),
        ),
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> list[BatchOut]:
        region_settings(settings, registry, region)
        state = state_filter
        if state is not None and state not in STATES:
            raise UnknownBatchStateError(field="state", state=state, known=", ".join(STATES))
        query = select(ReadingBatch).where(ReadingBatch.region == region)
        if state == "delivered":
            query = query.where(ReadingBatch.delivered_at.is_not(None))
        elif state == "failed":
            query = query.where(ReadingBatch.failed_at.is_not(None))
        elif state is not None:
            query = query.where(
                ReadingBatch.delivered_at.is_(None), ReadingBatch.failed_at.is_(None)
            )
            waiting = ReadingBatch.last_error.is_(None)
            query = query.where(waiting if state == "waiting" else ~waiting)
        batches = await session.scalars(query.order_by(ReadingBatch.id.desc()).limit(limit))
        return [batch_out(batch) for batch in batches]

    @post(
        "/{batch_id:int}/redelivery",
        operation_id="redeliverReadingBatch",
        summary="Send a failed batch to billing again",
        status_code=202,
    )
    async def redeliver(
        self,
        region: str,
        batch_id: int,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> BatchOut:
        region_settings(settings, registry, region)
        async with session.begin():
            batch = await session.get(ReadingBatch, batch_id, with_for_update=True)
            if batch is None or batch.region != region:
                raise BatchNotFoundError(region=region, batch_id=batch_id)
            if batch.failed_at is None:
                raise BatchNotFailedError(batch_id=batch_id, state=batch_state(batch))
            batch.failed_at = None
            batch.attempts = 0
            batch.claimed_until = None
            batch.last_error = None
            batch.error_reason = None
            add_to_outbox(session, DELIVER_JOB, [batch.id])
        return batch_out(batch)
