"""Meter photos sent with the confirmation of a reading: content checks and storage on disk.

A photo is accepted only when its bytes are a JPEG or PNG whose header decodes to a picture
size. The client's file name and content type are not used for that check. Files are written
under the photo folder (`[photos] dir`, by default `var/photos`) as
`<region>/<account>/<reading>-<hash>.<ext>`, and a `reading_photos` row refers to each one.
"""

import dataclasses
import hashlib
import os
import struct
import unicodedata
import uuid
import zlib
from pathlib import Path, PurePath

import structlog
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import PhotoTooLargeError, UnsupportedPhotoError
from core.readings.models import ReadingPhoto, ReadingSubmission
from core.settings import PROJECT_ROOT, Settings
from core.timezone import now_utc

log = structlog.get_logger(__name__)

ACCEPTED_TYPES = ("image/jpeg", "image/png")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers SOF0..SOF15, whose segments carry the picture size. The codes
# C4 (DHT), C8 (JPG) and CC (DAC) lie in the same range but mark other segments.
JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length field: TEM and RST0..RST7.
JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
JPEG_START_OF_SCAN = 0xDA
JPEG_END_OF_IMAGE = 0xD9


@dataclasses.dataclass(frozen=True)
class ImageHeader:
    """The media type and the size in pixels read from a photo's header."""

    media_type: str
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed the size and content checks, with the name to show in messages."""

    content: bytes
    header: ImageHeader
    filename: str


def photo_dir(settings: Settings) -> Path:
    """Return the photo folder: `[photos] dir` (relative to the project) or `var/photos`."""
    configured = settings.platform.photos.dir
    if not configured:
        return PROJECT_ROOT / "var" / "photos"
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_ROOT / path


def display_name(filename: str | None) -> str:
    """Return the last part of a client's file name without control characters, at most 100 characters."""
    name = PurePath((filename or "").replace("\\", "/")).name
    printable = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return printable[:100] or "-"


def read_image_header(content: bytes) -> ImageHeader | None:
    """Return the type and size of a PNG or JPEG picture, or None when the bytes are neither."""
    if content.startswith(PNG_SIGNATURE):
        return _png_header(content)
    if content.startswith(b"\xff\xd8\xff"):
        return _jpeg_header(content)
    return None


def _png_header(content: bytes) -> ImageHeader | None:
    """Decode the IHDR chunk that must follow the PNG signature, checking its CRC."""
    chunk = content[len(PNG_SIGNATURE) : len(PNG_SIGNATURE) + 25]
    if len(chunk) < 25:
        return None
    length, kind = struct.unpack(">I4s", chunk[:8])
    body, crc = chunk[8:21], struct.unpack(">I", chunk[21:25])[0]
    if length != 13 or kind != b"IHDR" or zlib.crc32(kind + body) != crc:
        return None

    width, height, bit_depth, colour_type = struct.unpack(">IIBB", body[:10])
    if not (0 < width < 2**31 and 0 < height < 2**31):
        return None
    if bit_depth not in (1, 2, 4, 8, 16) or colour_type not in (0, 2, 3, 4, 6):
        return None
    return ImageHeader("image/png", width, height)


def _jpeg_header(content: bytes) -> ImageHeader | None:
    """Walk the JPEG marker segments up to the start-of-frame segment and read its size."""
    position = 2
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return None
        marker = content[position + 1]
        if marker == 0xFF:  # a fill byte before the marker
            position += 1
            continue
        if marker in JPEG_STANDALONE_MARKERS:
            position += 2
            continue
        if marker in (JPEG_START_OF_SCAN, JPEG_END_OF_IMAGE):
            return None  # image data or the end came before any frame header

        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if length < 2:
            return None
        if marker in JPEG_FRAME_MARKERS:
            return _jpeg_frame(content[position + 4 : position + 2 + length])
        position += 2 + length
    return None


def _jpeg_frame(segment: bytes) -> ImageHeader | None:
    if len(segment) < 6:
        return None
    _precision, height, width, components = struct.unpack(">BHHB", segment[:6])
    if width == 0 or height == 0 or components not in (1, 3, 4):
        return None
    return ImageHeader("image/jpeg", width, height)


async def check_photo(upload: UploadFile, max_bytes: int) -> CheckedPhoto:
    """Read an uploaded photo; raise 413 when it is over `max_bytes`, 415 when it is no JPEG or PNG."""
    name = display_name(upload.filename)
    size = upload.file.seek(0, os.SEEK_END)
    if size > max_bytes:
        raise PhotoTooLargeError(field="photo", file=name, size=size, limit=max_bytes)

    await upload.seek(0)
    content = await upload.read()
    header = read_image_header(content)
    if header is None:
        raise UnsupportedPhotoError(field="photo", file=name, accepted=", ".join(ACCEPTED_TYPES))
    return CheckedPhoto(content, header, name)


async def store_photo(
    session: AsyncSession,
    folder: Path,
    submission: ReadingSubmission,
    region: str,
    photo: CheckedPhoto,
) -> ReadingPhoto:
    """Write the photo file, then add its row to the caller's transaction.

    The file is written under a temporary name and renamed, so a reader never sees half a file.
    If the transaction then fails, the caller removes the file with `remove_photo_file`.
    """
    digest = hashlib.sha256(photo.content).hexdigest()
    extension = EXTENSIONS[photo.header.media_type]
    relative = f"{region}/{submission.account_id}/{submission.id}-{digest[:16]}.{extension}"
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.write_bytes(photo.content)
    temporary.replace(target)

    row = ReadingPhoto(
        submission_id=submission.id,
        stored_path=relative,
        media_type=photo.header.media_type,
        size_bytes=len(photo.content),
        width=photo.header.width,
        height=photo.header.height,
        sha256=digest,
        filename=photo.filename,
        uploaded_at=now_utc(),
    )
    session.add(row)
    log.info(
        "readings.photo_stored",
        submission_id=submission.id,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
    )
    return row


def remove_photo_file(folder: Path, stored_path: str) -> None:
    (folder / stored_path).unlink(missing_ok=True)
