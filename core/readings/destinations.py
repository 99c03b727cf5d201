"""Billing destinations of reading batches: a CSV file drop, an HTTP endpoint and a mailbox.

Each destination gets the same batch and derives its duplicate guard from the batch id: the
file name, the `Idempotency-Key` header or the `Message-ID`. A sender raises
`BillingDeliveryError` when a later attempt may succeed and `PermanentBillingError` when it
cannot. The error's `reason` is shown to customers in plain words.
"""

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import os
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import httpx
import msgspec

from core.notifications.channels import (
    DeliveryError,
    NotificationSettings,
    PermanentDeliveryError,
    send_smtp,
)
from core.settings import PROJECT_ROOT, ReadingsDeliverySettings

USER_AGENT = "dso-platform-readings/1"
RETRYABLE_HTTP = frozenset({408, 425, 429})
# Every register name of every meter type, in the column order of the CSV file.
REGISTER_COLUMNS = ("total", "day", "night", "peak", "half_peak")
CSV_COLUMNS = (
    "reading_id",
    "account_number",
    "eic",
    "meter_serial",
    "meter_type",
    "reading_date",
    "submitted_at",
    "confirmed",
    *REGISTER_COLUMNS,
)

UNREACHABLE = "unreachable"
REJECTED = "rejected"
STORAGE = "storage"
NOT_CONFIGURED = "not_configured"


class BillingDeliveryError(Exception):
    """A delivery attempt failed; a retry may succeed. `reason` is one of the codes above."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PermanentBillingError(BillingDeliveryError):
    """A delivery cannot succeed as configured; retrying is pointless."""


class BatchReading(msgspec.Struct, frozen=True):
    """One accepted reading as billing receives it."""

    reading_id: int
    account_number: str
    eic: str
    meter_serial: str
    meter_type: str
    reading_date: dt.date
    submitted_at: dt.datetime
    """When the customer submitted it, with the Kyiv offset."""
    confirmed: bool
    """The customer confirmed values far from the usual consumption."""
    registers: dict[str, int]


class BatchContent(msgspec.Struct, frozen=True):
    """A batch of one region's readings, the body of the HTTP destination."""

    batch_id: int
    region: str
    created_at: dt.datetime
    readings: list[BatchReading]


async def deliver_batch(
    content: BatchContent,
    destination: ReadingsDeliverySettings,
    smtp: NotificationSettings,
    http_timeout_seconds: float,
) -> str:
    """Deliver the batch to the region's destination; return its response for the record."""
    if destination.kind == "csv":
        directory = batch_directory(destination, content.region)
        return await asyncio.to_thread(write_batch_file, directory, content)
    if destination.kind == "http":
        return await post_batch(destination.url, content, http_timeout_seconds, destination.token)
    if destination.kind == "email":
        return await asyncio.to_thread(mail_batch, destination.email_to, content, smtp)
    raise PermanentBillingError(f"unknown destination kind {destination.kind!r}", NOT_CONFIGURED)


def batch_directory(destination: ReadingsDeliverySettings, region: str) -> Path:
    if not destination.directory:
        return PROJECT_ROOT / "var" / "billing" / region
    return PROJECT_ROOT / destination.directory


def batch_stem(content: BatchContent) -> str:
    return f"readings-{content.region}-{content.batch_id:08d}"


def csv_bytes(content: BatchContent) -> bytes:
    """Render the batch as UTF-8 CSV (RFC 4180 line ends), one row per reading, with a header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for reading in content.readings:
        writer.writerow(
            [
                reading.reading_id,
                reading.account_number,
                reading.eic,
                reading.meter_serial,
                reading.meter_type,
                reading.reading_date.isoformat(),
                reading.submitted_at.isoformat(),
                "yes" if reading.confirmed else "no",
                *(reading.registers.get(name, "") for name in REGISTER_COLUMNS),
            ]
        )
    return buffer.getvalue().encode("utf-8")


# The CSV file destination.


def write_batch_file(directory: Path, content: BatchContent) -> str:
    """Write the batch's CSV file and then its manifest, each atomically; return the file name.

    A file already present with the same content is a repeat of this batch and is left as it
    is. A present file with other content is never overwritten, because billing may have read it.
    """
    stem = batch_stem(content)
    data = csv_bytes(content)
    digest = hashlib.sha256(data).hexdigest()
    target = directory / f"{stem}.csv"
    manifest = {
        "file": target.name,
        "batch_id": content.batch_id,
        "region": content.region,
        "rows": len(content.readings),
        "sha256": digest,
        "created_at": content.created_at.isoformat(),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    manifest_path = directory / f"{stem}.manifest.json"

    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            write_atomically(target, data)
        elif hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            raise PermanentBillingError(
                f"{target.name} already exists with other content; it was left unchanged", STORAGE
            )
        if not manifest_path.exists() or manifest_path.read_bytes() != manifest_bytes:
            write_atomically(manifest_path, manifest_bytes)
    except OSError as error:
        raise BillingDeliveryError(
            f"writing {target.name} failed: {error.strerror or type(error).__name__}", STORAGE
        ) from error
    return f"file {target.name}"


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` under a hidden temporary name in the target's folder, fsync it, then rename.

    Readers of the folder see either no file or the whole file: `os.replace` within one file
    system is atomic, and the folder is synced so the rename survives a power cut.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


# The HTTP destination.


def idempotency_key(content: BatchContent) -> str:
    return f"dso-readings-{content.region}-{content.batch_id}"


async def post_batch(
    url: str, content: BatchContent, timeout_seconds: float, token: str = ""
) -> str:
    """POST the batch as JSON; a repeat carries the same `Idempotency-Key`."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": idempotency_key(content),
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False) as client:
            response = await client.post(url, content=msgspec.json.encode(content), headers=headers)
    except httpx.HTTPError as error:
        raise BillingDeliveryError(
            f"billing request failed: {type(error).__name__}", UNREACHABLE
        ) from error

    status = response.status_code
    if 200 <= status < 300:
        return f"HTTP {status}"
    if status >= 500 or status in RETRYABLE_HTTP:
        raise BillingDeliveryError(f"billing endpoint responded with HTTP {status}", UNREACHABLE)
    raise PermanentBillingError(f"billing endpoint responded with HTTP {status}", REJECTED)


# The e-mail destination.


def mail_batch(address: str, content: BatchContent, smtp: NotificationSettings) -> str:
    """Send the batch to the billing mailbox through the platform's SMTP relay (blocking)."""
    if not smtp.smtp_host:
        # Retried, so setting DSO_SMTP_HOST and restarting within the retries still delivers.
        raise BillingDeliveryError("no SMTP server is configured (DSO_SMTP_HOST)", NOT_CONFIGURED)
    try:
        return send_smtp(batch_email(address, content, smtp.smtp_from), smtp)
    except PermanentDeliveryError as error:
        raise PermanentBillingError(str(error), REJECTED) from error
    except DeliveryError as error:
        raise BillingDeliveryError(str(error), UNREACHABLE) from error


def message_id(content: BatchContent, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "dso-platform.invalid"
    return f"<{batch_stem(content)}@{domain}>"


def batch_email(address: str, content: BatchContent, sender: str) -> EmailMessage:
    """Build the batch e-mail: a plain-text table in the body and the CSV file attached.

    The text is Ukrainian, for the operator's billing staff. The `Message-ID` depends only on
    the batch, so a mailbox that keeps one message per id drops a repeated send.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = (
        f"Показники лічильників, {content.region}, пакет {content.batch_id}"
        f" ({len(content.readings)})"
    )
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(content, sender)
    message["X-DSO-Reading-Batch"] = str(content.batch_id)
    message.set_content(email_text(content))
    message.add_attachment(
        csv_bytes(content), maintype="text", subtype="csv", filename=f"{batch_stem(content)}.csv"
    )
    return message


def email_text(content: BatchContent) -> str:
    lines = [
        f"Пакет {content.batch_id}: {len(content.readings)} прийнятих показів.",
        "Ті самі рядки у вкладеному CSV-файлі.",
        "",
        "id; особовий рахунок; EIC; лічильник; дата показів; регістри",
    ]
    for reading in content.readings:
        registers = ", ".join(f"{name} {value}" for name, value in reading.registers.items())
        lines.append(
            f"{reading.reading_id}; {reading.account_number}; {reading.eic};"
            f" {reading.meter_serial}; {reading.reading_date.isoformat()}; {registers}"
        )
    return "\n".join(lines) + "\n"
