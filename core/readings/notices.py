"""The SMS a customer gets after a meter reading sent on the website or through the API is accepted.

The acceptance transaction adds the job to the outbox (`enqueue_acceptance_sms`), and the job
sends the message later with its own session. Readings sent by SMS get no second message,
because the reply to the SMS already states the outcome.
"""

from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, translate
from core.jobs import Job, JobContext, add_to_outbox

# A module import, because `sms` imports `service`, which imports this module.
from core.readings import sms
from core.readings.models import MeterAccount, ReadingNotice, ReadingSubmission
from core.timezone import now_utc

log = structlog.get_logger(__name__)

ACCEPTANCE_SMS_JOB = "readings.send_acceptance_sms"
ACCEPTED = "accepted"
# Zone names of the registers in the text, as message ids of the `uk` catalog.
REGISTER_NAMES = {
    "total": "total register",
    "day": "day zone",
    "night": "night zone",
    "peak": "peak zone",
    "half_peak": "half-peak zone",
}


def enqueue_acceptance_sms(session: AsyncSession, submission_id: int, locale: str) -> None:
    """Add the acceptance SMS of a reading to the caller's transaction, the one that accepts it."""
    add_to_outbox(session, ACCEPTANCE_SMS_JOB, [submission_id, locale])


def reading_jobs() -> list[Job]:
    return [Job(name=ACCEPTANCE_SMS_JOB, function=send_acceptance_sms, queue="readings")]


async def send_acceptance_sms(context: JobContext, submission_id: int, locale: str) -> None:
    """Send the acceptance SMS of one reading unless it was sent before.

    The message is written under a key made from the reading id and recorded in
    `reading_notices` in one transaction. A run that crashed after writing the message and
    before the commit writes it again under the same key, which the outbox (or a gateway
    with client message ids) drops, so the customer gets it once.
    """
    async with context.sessions() as session, session.begin():
        # The row lock keeps two runs of the same job apart on PostgreSQL.
        submission = await session.get(ReadingSubmission, submission_id, with_for_update=True)
        if submission is None or submission.outcome != ACCEPTED:
            log.warning("readings.acceptance_sms_skipped", submission_id=submission_id)
            return
        if await session.get(ReadingNotice, submission_id) is not None:
            return
        if submission.replaced_by_id is not None:
            # A later reading for the same date replaced this one, and its own message follows.
            log.info("readings.acceptance_sms_replaced", submission_id=submission_id)
            return

        account = await session.get(MeterAccount, submission.account_id)
        number = account.account_number if account else "-"
        text = acceptance_text(submission, number, locale)
        sms.write_dev_sms(submission.phone, text, key=f"reading-accepted-{submission_id}")
        session.add(ReadingNotice(submission_id=submission_id, channel="sms", sent_at=now_utc()))
    log.info("readings.acceptance_sms_sent", submission_id=submission_id)


def acceptance_text(submission: ReadingSubmission, account_number: str, locale: str) -> str:
    """Return the short acceptance message: the account, the values, the date and the kWh used."""
    language = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    return translate(
        "Readings of personal account {account} are accepted for {date}: {values}. Consumption: {consumption} kWh.",
        language,
        account=account_number,
        date=f"{submission.reading_date:%d.%m.%Y}",
        values=_registers_text(submission.registers or {}, language),
        consumption=sum(int(kwh) for kwh in (submission.consumption or {}).values()),
    )


def _registers_text(registers: Mapping[str, Any], language: str) -> str:
    return ", ".join(
        f"{translate(REGISTER_NAMES.get(name, name), language)} {value}"
        for name, value in registers.items()
    )
