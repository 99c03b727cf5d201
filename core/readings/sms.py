"""SMS intake of meter readings and the short Ukrainian replies to it.

The region's plugin reads its own SMS format (`dso_parse_reading_sms`). The sender's phone must
be linked to the personal account named in the text. Until an SMS gateway is connected,
outgoing messages are written as files to the development outbox.
"""

import datetime as dt
import hmac
import os
import uuid
from pathlib import Path
from typing import Any

import msgspec
import structlog
from litestar import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import (
    InvalidAccountNumberError,
    SmsGatewayNotAuthenticatedError,
    SmsNotOfferedError,
)
from core.i18n import translate
from core.plugins import RegionHooks
from core.readings import service
from core.readings.models import AccountLink, MeterAccount, ReadingSubmission
from core.readings.rules import REASONS
from core.readings.schemas import ReadingRules, SmsReading, SmsReply
from core.settings import PROJECT_ROOT
from core.timezone import now_utc

log = structlog.get_logger(__name__)

OUTBOX_VARIABLE = "DSO_DEV_OUTBOX_DIR"
GATEWAY_SECRET_VARIABLE = "DSO_SMS_GATEWAY_SECRET"
GATEWAY_SECRET_HEADER = "x-sms-gateway-secret"
# Sending the same values again within this time confirms a reading that needed confirmation.
CONFIRM_WITHIN = dt.timedelta(hours=24)
LOCALE = "uk"
# Rejections that mean the SMS had as many values as another meter type, so the format is sent.
SHAPE_REASONS = ("missing_register", "unknown_register")


def outbox_dir() -> Path:
    """Return the development outbox folder: `DSO_DEV_OUTBOX_DIR`, else `var/dev-outbox`."""
    return Path(os.environ.get(OUTBOX_VARIABLE) or PROJECT_ROOT / "var" / "dev-outbox")


def write_dev_sms(phone: str, text: str, *, key: str | None = None) -> Path:
    """Write an outgoing SMS to `<outbox>/sms/` as JSON, atomically (temporary name, then rename).

    With a `key`, a message already written under the same key is not written again, as an SMS
    gateway drops a repeated client message id.
    """
    folder = outbox_dir() / "sms"
    folder.mkdir(parents=True, exist_ok=True)
    if key is not None:
        earlier = sorted(folder.glob(f"*-{key}.json"))
        if earlier:
            return earlier[0]
    name = f"{now_utc():%Y%m%dT%H%M%S%fZ}-{key or uuid.uuid4().hex[:8]}.json"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(msgspec.json.encode({"to": phone, "text": text}))
    temporary.replace(folder / name)
    return folder / name


def require_gateway(request: Request[Any, Any, Any]) -> None:
    """Accept only requests that carry `DSO_SMS_GATEWAY_SECRET`; with no secret set the route stays closed."""
    expected = os.environ.get(GATEWAY_SECRET_VARIABLE, "")
    given = request.headers.get(GATEWAY_SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise SmsGatewayNotAuthenticatedError()


async def receive_sms(
    session: AsyncSession, hooks: RegionHooks, rules: ReadingRules, phone: str, text: str
) -> SmsReply:
    """Judge the reading in one SMS, write the reply to the outbox and return it.

    A region whose rules give no SMS format takes no readings by SMS (404).
    """
    if not rules.sms_format_uk:
        raise SmsNotOfferedError(region=hooks.region)
    parsed = await hooks.call("dso_parse_reading_sms", text=text)
    if not isinstance(parsed, SmsReading):
        return _reply(phone, "malformed", _format_text(rules))

    async with session.begin():
        account = await _linked_account(session, hooks.region, rules, phone, parsed)
        confirm = account is not None and await _repeats_unconfirmed(
            session, account.id, phone, parsed.registers
        )
    if account is None:
        text_out = translate(
            "This phone is not linked to personal account {account}. Link it on the website first.",
            LOCALE,
            account=parsed.account_number[:40],
        )
        return _reply(phone, "not_linked", text_out)

    judgement = await service.submit_reading(
        session, rules, account, phone, parsed.registers, confirm=confirm, channel="sms"
    )
    rejection = judgement.rejection
    if rejection is not None and rejection.reason in SHAPE_REASONS:
        return _reply(phone, judgement.submission.outcome, _format_text(rules))
    return _reply(phone, judgement.submission.outcome, _judgement_text(judgement))


def _format_text(rules: ReadingRules) -> str:
    return translate(
        "The reading could not be read. Send an SMS in the form: {format}.",
        LOCALE,
        format=rules.sms_format_uk,
    )


async def _linked_account(
    session: AsyncSession, region: str, rules: ReadingRules, phone: str, parsed: SmsReading
) -> MeterAccount | None:
    try:
        number = service.check_account_number(parsed.account_number, region, rules)
    except InvalidAccountNumberError:
        return None
    return await session.scalar(
        select(MeterAccount)
        .join(AccountLink, AccountLink.account_id == MeterAccount.id)
        .where(
            MeterAccount.region == region,
            MeterAccount.account_number == number,
            AccountLink.phone == phone,
        )
    )


async def _repeats_unconfirmed(
    session: AsyncSession, account_id: int, phone: str, registers: dict[str, int]
) -> bool:
    """Return whether the phone's last SMS reading for the account needed confirmation and had these values."""
    last = await session.scalar(
        select(ReadingSubmission)
        .where(
            ReadingSubmission.account_id == account_id,
            ReadingSubmission.phone == phone,
            ReadingSubmission.channel == "sms",
            ReadingSubmission.submitted_at > now_utc() - CONFIRM_WITHIN,
        )
        .order_by(ReadingSubmission.id.desc())
        .limit(1)
    )
    return (
        last is not None
        and last.outcome == service.NEEDS_CONFIRMATION
        and last.raw_registers == registers
    )


def _judgement_text(judgement: service.Judgement) -> str:
    submission = judgement.submission
    if judgement.rejection is not None:
        _, detail, _ = REASONS[judgement.rejection.reason]
        return translate(detail, LOCALE, **judgement.rejection.params)
    values = " ".join(str(v) for v in (submission.registers or {}).values())
    if submission.outcome == service.NEEDS_CONFIRMATION:
        return translate(
            "Readings {values} differ a lot from your usual consumption: send the same SMS again to confirm them.",
            LOCALE,
            values=values,
        )
    return translate(
        "Readings {values} are accepted for {date}.",
        LOCALE,
        values=values,
        date=f"{submission.reading_date:%d.%m.%Y}",
    )


def _reply(phone: str, outcome: str, text: str) -> SmsReply:
    write_dev_sms(phone, text)
    log.info("readings.sms_replied", outcome=outcome)
    return SmsReply(reply=text, outcome=outcome)
