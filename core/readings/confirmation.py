"""Confirmation of a reading that needed it, optionally with a photo of the meter.

The photo is checked before anything is stored, so a photo that is too large or not an image
leaves the reading as it was. The confirmed values are then judged again as a new submission,
and the photo is stored with that submission.
"""

import dataclasses

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ReadingNotAwaitingConfirmationError, ReadingNotFoundError
from core.readings import photos, service
from core.readings.models import MeterAccount, ReadingSubmission
from core.readings.schemas import ReadingRules
from core.settings import Settings


async def confirm_reading(
    session: AsyncSession,
    settings: Settings,
    rules: ReadingRules,
    account: MeterAccount,
    phone: str,
    submission_id: int,
    upload: UploadFile | None,
    locale: str,
) -> service.Judgement:
    """Confirm the values of a `needs_confirmation` reading; store the photo with the new submission."""
    async with session.begin():
        earlier = await _awaiting_confirmation(session, account, submission_id)
        raw = dict(earlier.raw_registers)
    photo = None
    if upload is not None:
        photo = await photos.check_photo(upload, settings.platform.photos.max_bytes)

    judgement = await service.submit_reading(
        session, rules, account, phone, raw, confirm=True, locale=locale
    )
    if photo is not None:
        await _store(session, settings, account, judgement.submission, photo)
    return judgement


async def _awaiting_confirmation(
    session: AsyncSession, account: MeterAccount, submission_id: int
) -> ReadingSubmission:
    submission = await session.get(ReadingSubmission, submission_id)
    if submission is None or submission.account_id != account.id:
        raise ReadingNotFoundError(account_id=account.id, submission_id=submission_id)
    meter = await service.current_meter(session, account.id)
    if submission.outcome != service.NEEDS_CONFIRMATION or submission.meter_id != meter.id:
        raise ReadingNotAwaitingConfirmationError(
            submission_id=submission_id, outcome=submission.outcome
        )
    return submission


async def _store(
    session: AsyncSession,
    settings: Settings,
    account: MeterAccount,
    submission: ReadingSubmission,
    photo: photos.CheckedPhoto,
) -> None:
    folder = photos.photo_dir(settings)
    stored_path = None
    try:
        async with session.begin():
            row = await photos.store_photo(session, folder, submission, account.region, photo)
            stored_path = row.stored_path
    except BaseException:
        if stored_path is not None:
            photos.remove_photo_file(folder, stored_path)
        raise


@dataclasses.dataclass
class ConfirmationForm:
    """The multipart form of a confirmation: an optional `photo` file of the meter."""

    photo: UploadFile | None = None
