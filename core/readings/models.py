"""Stored personal accounts, meters, customer sign-in and meter reading submissions."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class MeterAccount(Base):
    """A personal account of a connection: its EIC, capacity and the building it supplies."""

    __tablename__ = "meter_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    account_number: Mapped[str] = mapped_column(String(40))
    eic: Mapped[str] = mapped_column(String(16))
    # Permitted capacity of the connection, in kW.
    capacity_kw: Mapped[float] = mapped_column(Float)
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_meter_accounts_region_number", "region", "account_number", unique=True),
    )


class Meter(Base):
    """One installation of a meter at an account. A replacement ends it and installs the next one."""

    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("meter_accounts.id", ondelete="CASCADE"), index=True
    )
    serial: Mapped[str] = mapped_column(String(40))
    meter_type: Mapped[str] = mapped_column(String(20))
    digits: Mapped[int] = mapped_column(Integer)
    installed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Register values when installed, by register name; consumption counts from them.
    initial_readings: Mapped[dict[str, Any]] = mapped_column(JSON)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class AccountLink(Base):
    """A customer's phone (E.164) linked to a personal account after it proved the account's EIC."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("meter_accounts.id", ondelete="CASCADE"), index=True
    )
    phone: Mapped[str] = mapped_column(String(20), index=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_account_links_account_phone", "account_id", "phone", unique=True),)


class SignInCode(Base):
    """A one-time sign-in code sent by SMS. Only a keyed hash of the code is stored."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    # A hash of the requesting client address, for the per-address rate limit.
    client_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index("ix_sign_in_codes_phone_created", "phone", "created_at"),
        Index("ix_sign_in_codes_client_created", "client_hash", "created_at"),
    )


class SignInLock(Base):
    """Wrong sign-in codes entered for a phone, and until when the phone is locked."""

    __tablename__ = "sign_in_locks"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class ReadingSubmission(Base):
    """A meter reading as submitted, stored before it is judged, with the outcome it got.

    `outcome` is `received` until judged, then `accepted`, `needs_confirmation` or `rejected`.
    A later accepted reading for the same meter and reading date sets `replaced_by_id`.
    """

    __tablename__ = "reading_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("meter_accounts.id", ondelete="CASCADE"), index=True
    )
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"), default=None)
    channel: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reading_date: Mapped[dt.date] = mapped_column(Date)
    # Start of the consumption period: the previous reading or the meter's installation.
    period_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # The register values exactly as received, whatever their type.
    raw_registers: Mapped[dict[str, Any]] = mapped_column(JSON)
    registers: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    consumption: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Hours of each register's zone in the period with power on by the schedules.
    powered_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    confirmed: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40), default=None)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("reading_submissions.id"), default=None
    )
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # The delivery batch an accepted reading was gathered into; NULL until it is gathered.
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("reading_batches.id"), default=None, index=True
    )

    __table_args__ = (Index("ix_reading_submissions_meter_date", "meter_id", "reading_date"),)


class ReadingBatch(Base):
    """Accepted readings of one region gathered for one delivery into the region's billing.

    `kind` is the destination kind when the batch was gathered: `email`, `csv` or `http`. The
    batch id names the file, the `Idempotency-Key` and the `Message-ID`, so a repeated delivery
    of the same batch is recognisable by the destination.
    """

    __tablename__ = "reading_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    reading_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A job that is delivering the batch keeps its claim until this instant.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set when delivery was given up: a permanent error or no retries left.
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    # What kind of error `last_error` is, for the customer's text: `unreachable`, `rejected`,
    # `storage` or `not_configured`.
    error_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    # The destination's response, such as `HTTP 201`, `SMTP 250` or the written file name.
    response: Mapped[str | None] = mapped_column(String(200), default=None)


class ReadingPhoto(Base):
    """A meter photo sent with the confirmation of a reading, stored as a file under the photo folder."""

    __tablename__ = "reading_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("reading_submissions.id", ondelete="CASCADE"), index=True
    )
    # Path of the file relative to the photo folder, with forward slashes.
    stored_path: Mapped[str] = mapped_column(String(200))
    # `image/jpeg` or `image/png`, as read from the file's content, not from the client.
    media_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The client's file name, shortened, for staff only; never used as a path.
    filename: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReadingNotice(Base):
    """A message sent to the customer after a reading was accepted; one per reading at most."""

    __tablename__ = "reading_notices"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("reading_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
