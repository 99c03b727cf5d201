"""Senders of notifications: a signed webhook POST and a plain-text e-mail over SMTP.

A sender raises `DeliveryError` when a later attempt may succeed (timeouts, refused
connections, HTTP 5xx, SMTP 4xx) and `PermanentDeliveryError` when it cannot (HTTP 4xx, SMTP
5xx, a webhook host with a private address).
"""

import asyncio
import hashlib
import hmac
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

import httpx
import msgspec

from core.i18n import translate
from core.jobs import prefixed_variables, settings_from_env
from core.notifications.schemas import NotificationContent
from core.schedules.model import queue_sort_key
from core.schedules.schemas import DayChangeOut, IntervalOut
from core.timezone import to_local

USER_AGENT = "dso-platform-notifications/1"
SIGNATURE_HEADER = "X-DSO-Signature"
RETRYABLE_HTTP = frozenset({408, 425, 429})


class NotificationSettings(msgspec.Struct, frozen=True):
    smtp_host: str = ""
    """SMTP server for e-mail notifications; empty disables the e-mail channel."""
    smtp_port: int = 25
    """TCP port of the SMTP server."""
    smtp_from: str = "dso-platform@localhost"
    """Sender address of notification e-mails."""
    smtp_timeout_seconds: float = 30.0
    """Timeout of one SMTP conversation, in seconds."""
    smtp_starttls: bool = False
    """Upgrade the SMTP connection with STARTTLS before sending, checking the server's certificate."""
    smtp_ca_file: str = ""
    """PEM file of the certificate authority that signed the SMTP server's certificate, for a
    relay with a private CA; empty trusts the system's authorities."""
    smtp_username: str = ""
    """SMTP login name; empty sends without logging in. A login needs `smtp_starttls`."""
    smtp_password: str = ""
    """SMTP password of `smtp_username`."""
    webhook_timeout_seconds: float = 10.0
    """Timeout of one webhook request, in seconds."""
    allow_private_webhooks: bool = False
    """Accept webhook hosts with loopback or private addresses (tests and closed networks only)."""
    max_retries: int = 10
    """Retries of a failed delivery before it is given up."""
    min_backoff_seconds: float = 15.0
    """First retry delay, in seconds; each next retry waits about twice as long."""
    max_backoff_seconds: float = 3600.0
    """Maximum retry delay, in seconds."""
    claim_seconds: float = 120.0
    """How long a job that sends a notification keeps its claim, in seconds; longer than the slowest
    send (the SMTP timeout). A job killed while sending keeps the claim until it runs out."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "NotificationSettings":
        """Read the `smtp_*` fields from `DSO_SMTP_<NAME>` variables (such as `DSO_SMTP_HOST`)
        and the other fields from `DSO_NOTIFICATIONS_<FIELD>` variables."""
        variables = prefixed_variables(cls, "DSO_NOTIFICATIONS_")
        for field in cls.__struct_fields__:
            if field.startswith("smtp_"):
                variables[field] = f"DSO_{field.upper()}"
        return settings_from_env(cls, variables, environ)


class DeliveryError(Exception):
    """A delivery attempt failed; a retry may succeed."""


class PermanentDeliveryError(DeliveryError):
    """A delivery cannot succeed; retrying is pointless."""


class Outgoing(msgspec.Struct, frozen=True):
    """A claimed notification with everything its channel needs to send it."""

    channel: str
    target: str
    secret: str | None
    language: str
    region_name: str
    content: NotificationContent


def sign(secret: str, body: bytes) -> str:
    """Return the `X-DSO-Signature` value: `sha256=` and the hex HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


async def send(outgoing: Outgoing, config: NotificationSettings) -> str:
    """Send through the subscription's channel; return the receiver's response for the record."""
    if outgoing.channel == "webhook":
        return await send_webhook(outgoing, config)
    if outgoing.channel == "email":
        return await asyncio.to_thread(send_email, outgoing, config)
    raise PermanentDeliveryError(f"unknown channel {outgoing.channel!r}")


async def send_webhook(outgoing: Outgoing, config: NotificationSettings) -> str:
    body = msgspec.json.encode(outgoing.content)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": str(outgoing.content.notification_id),
        SIGNATURE_HEADER: sign(outgoing.secret or "", body),
    }
    if not config.allow_private_webhooks:
        await ensure_public_host(outgoing.target)
    try:
        async with httpx.AsyncClient(
            timeout=config.webhook_timeout_seconds, follow_redirects=False
        ) as client:
            response = await client.post(outgoing.target, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise DeliveryError(f"webhook request failed: {type(error).__name__}") from error

    status = response.status_code
    if 200 <= status < 300:
        return f"HTTP {status}"
    if status >= 500 or status in RETRYABLE_HTTP:
        raise DeliveryError(f"webhook responded with HTTP {status}")
    raise PermanentDeliveryError(f"webhook responded with HTTP {status}")


async def ensure_public_host(url: str) -> None:
    """Raise unless every address of the URL's host is public, so webhooks cannot reach internal services.

    NOTE: the name is resolved again by httpx when it connects, so a DNS answer that changes
    between the two lookups is not caught.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise DeliveryError(f"webhook host {host!r} cannot be resolved") from error
    for answer in answers:
        if not ipaddress.ip_address(answer[4][0]).is_global:
            raise PermanentDeliveryError(f"webhook host {host!r} has a non-public address")


def send_email(outgoing: Outgoing, config: NotificationSettings) -> str:
    """Send the notification as a plain-text e-mail (blocking; run it in a thread)."""
    return send_smtp(build_email(outgoing, config.smtp_from), config)


def send_smtp(message: EmailMessage, config: NotificationSettings) -> str:
    """Send one e-mail through the configured SMTP server and return its reply (blocking).

    With `smtp_starttls` the connection is upgraded and the server's certificate checked before
    anything is sent. Raise `DeliveryError` when a retry may succeed, else `PermanentDeliveryError`.
    """
    if not config.smtp_host:
        raise PermanentDeliveryError("no SMTP server is configured (DSO_SMTP_HOST)")
    if config.smtp_username and not config.smtp_starttls:
        raise PermanentDeliveryError(
            "SMTP login without encryption is not allowed: set DSO_SMTP_STARTTLS=true"
        )
    try:
        with smtplib.SMTP(
            config.smtp_host, config.smtp_port, timeout=config.smtp_timeout_seconds
        ) as smtp:
            if config.smtp_starttls:
                smtp.starttls(context=_tls_context(config))
            if config.smtp_username:
                smtp.login(config.smtp_username, config.smtp_password)
            refused = smtp.send_message(message)
    except ssl.SSLCertVerificationError as error:
        raise PermanentDeliveryError(
            f"the SMTP server's certificate failed verification: {error.verify_message}"
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        raise PermanentDeliveryError(
            "the SMTP server does not offer STARTTLS; set DSO_SMTP_STARTTLS=false for a plain relay"
        ) from error
    except smtplib.SMTPAuthenticationError as error:
        raise PermanentDeliveryError(
            f"the SMTP server rejected the login of {config.smtp_username!r}"
        ) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError("the SMTP server rejected the recipient") from error
    except smtplib.SMTPResponseException as error:
        kind = PermanentDeliveryError if error.smtp_code >= 500 else DeliveryError
        raise kind(f"the SMTP server responded with code {error.smtp_code}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP delivery failed: {type(error).__name__}") from error
    if refused:
        raise PermanentDeliveryError("the SMTP server rejected the recipient")
    return "SMTP 250"


def _tls_context(config: NotificationSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=config.smtp_ca_file or None)
    except (OSError, ssl.SSLError) as error:
        raise PermanentDeliveryError(
            f"cannot read the SMTP CA file {config.smtp_ca_file!r}: {error}"
        ) from error


def build_email(outgoing: Outgoing, sender: str) -> EmailMessage:
    content = outgoing.content
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.target
    message["Subject"] = email_subject(content, outgoing.language)
    message["Date"] = formatdate(localtime=False)
    # A stable Message-ID per notification lets mail systems drop a repeated send.
    domain = sender.rpartition("@")[2] or "dso-platform.invalid"
    message["Message-ID"] = f"<notification-{content.notification_id}@{domain}>"
    message["X-DSO-Notification-Id"] = str(content.notification_id)
    message.set_content(email_body(content, outgoing.language, outgoing.region_name))
    return message


STATUS_TEXTS = {
    "applies": "the schedule applies",
    "waiting": "waiting for approval, the times are tentative",
    "emergency": "emergency outages, the schedule is suspended",
    "no_data": "no data",
    "no_outages": "no outages",
}


def email_subject(content: NotificationContent, language: str) -> str:
    if content.address:
        return translate("Outage schedule changed: {address}", language, address=content.address)
    return translate("Outage schedule changed: queue {queue}", language, queue=content.queue)


def email_body(content: NotificationContent, language: str, region_name: str) -> str:
    """Render the e-mail text: one paragraph per changed day, times in Kyiv wall clock."""
    queues = ", ".join(sorted({day.queue for day in content.days}, key=queue_sort_key))
    if content.address:
        intro = translate(
            "{region}: the stabilization outage schedule of {address} (queue {queues}) changed.",
            language,
            region=region_name,
            address=content.address,
            queues=queues,
        )
    else:
        intro = translate(
            "{region}: the stabilization outage schedule of queue {queues} changed.",
            language,
            region=region_name,
            queues=queues,
        )

    lines = [intro, ""]
    for day in content.days:
        lines.extend(_day_lines(day, language))
        lines.append("")
    lines.append(
        translate(
            "All times are Kyiv time. Notification {id}.", language, id=content.notification_id
        )
    )
    return "\n".join(lines) + "\n"


def _day_lines(day: DayChangeOut, language: str) -> list[str]:
    date = day.date.strftime("%d.%m.%Y") if language == "uk" else day.date.isoformat()
    hours = _hours(day.hours_off, language)
    if day.status_before is None:
        headline = translate(
            "{date}, queue {queue}: {hours} h without power (newly published day).",
            language,
            date=date,
            queue=day.queue,
            hours=hours,
        )
    else:
        headline = translate(
            "{date}, queue {queue}: {hours} h without power (before the change: {before} h).",
            language,
            date=date,
            queue=day.queue,
            hours=hours,
            before=_hours(day.hours_off_before, language),
        )

    lines = [headline]
    if day.status != day.status_before and day.status in STATUS_TEXTS:
        status = translate(STATUS_TEXTS[day.status], language)
        lines.append("  " + translate("Day status: {status}.", language, status=status))
    if day.added:
        added = _intervals(day.added, language)
        lines.append("  " + translate("Outages added: {intervals}", language, intervals=added))
    if day.removed:
        removed = _intervals(day.removed, language)
        lines.append("  " + translate("Outages removed: {intervals}", language, intervals=removed))
    return lines


def _hours(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "uk" else text


def _intervals(intervals: list[IntervalOut], language: str) -> str:
    parts = []
    for interval in intervals:
        start, end = to_local(interval.start), to_local(interval.end)
        # An interval that ends at the next local midnight ends at 24:00 of its own day.
        end_text = "24:00" if end.date() > start.date() else end.strftime("%H:%M")
        text = f"{start.strftime('%H:%M')}–{end_text}"
        if interval.state == "possible":
            text += " " + translate("(possible)", language)
        parts.append(text)
    return ", ".join(parts)
