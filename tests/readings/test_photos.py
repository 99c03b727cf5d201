"""Meter photos sent with the confirmation of a reading: content checks, size limit and storage."""

import datetime as dt
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.app import create_app
from core.readings import photos, service
from core.readings.models import ReadingPhoto, ReadingSubmission
from core.settings import PhotoSettings, Settings
from tests.conftest import database_session
from tests.readings.conftest import linked_account, sign_in

MINE = "/api/v1/regions/kyiv_region/me/accounts"
PHOTO_LIMIT = 5_000_000


def png_image(width: int = 2, height: int = 1) -> bytes:
    """Build a complete greyscale PNG of the given size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        photos.PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_header(width: int = 640, height: int = 480) -> bytes:
    """Build the start of a baseline JPEG: SOI, a JFIF APP0 segment and the SOF0 frame header."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xc0"
        + struct.pack(">H", len(frame) + 2)
        + frame
        + b"\xff\xd9"
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    return tmp_path / "photos"


@pytest.fixture
async def photo_client(
    settings: Settings, photo_folder: Path
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client whose app stores meter photos in the test's own folder."""
    platform = msgspec.structs.replace(
        settings.platform, photos=PhotoSettings(dir=str(photo_folder), max_bytes=PHOTO_LIMIT)
    )
    configured = msgspec.structs.replace(settings, platform=platform)
    async with AsyncTestClient(app=create_app(configured)) as test_client:
        yield test_client


async def needs_confirmation(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, str], int, int]:
    """Return an account, its header, an accepted reading id and a later reading to confirm."""
    account, headers = await linked_account(client, outbox, days_ago=0)
    start = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(service, "now_utc", lambda: start + dt.timedelta(days=20))
    usual = await client.post(
        f"{MINE}/{account['id']}/readings", json={"registers": {"total": 1300}}, headers=headers
    )
    assert usual.status_code == 201, usual.text

    monkeypatch.setattr(service, "now_utc", lambda: start + dt.timedelta(days=45))
    far = await client.post(
        f"{MINE}/{account['id']}/readings", json={"registers": {"total": 4300}}, headers=headers
    )
    assert far.json()["outcome"] == "needs_confirmation", far.text
    return account, headers, usual.json()["id"], far.json()["id"]


def confirmation_url(account: dict[str, Any], reading_id: int) -> str:
    return f"{MINE}/{account['id']}/readings/{reading_id}/confirmation"


async def stored_photos(client: Any) -> list[ReadingPhoto]:
    async with database_session(client) as session:
        return list(await session.scalars(select(ReadingPhoto).order_by(ReadingPhoto.id)))


async def outcomes(client: Any) -> dict[int, tuple[str, int | None]]:
    async with database_session(client) as session:
        rows = await session.scalars(select(ReadingSubmission))
        return {row.id: (row.outcome, row.replaced_by_id) for row in rows}


def test_png_header_gives_size() -> None:
    assert photos.read_image_header(png_image(3, 2)) == photos.ImageHeader("image/png", 3, 2)


def test_png_with_bad_crc_is_rejected() -> None:
    content = bytearray(png_image())
    content[20] ^= 0xFF  # a byte of the IHDR width, so the chunk CRC no longer matches

    assert photos.read_image_header(bytes(content)) is None


def test_jpeg_header_gives_size() -> None:
    assert photos.read_image_header(jpeg_header(640, 480)) == photos.ImageHeader(
        "image/jpeg", 640, 480
    )


def test_jpeg_without_frame_is_rejected() -> None:
    assert photos.read_image_header(b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 20) is None


@pytest.mark.parametrize(
    "content",
    [PDF, b"GIF89a\x01\x00\x01\x00", photos.PNG_SIGNATURE, b"\xff\xd8\xff", b""],
    ids=["pdf", "gif", "png-signature-only", "jpeg-signature-only", "empty"],
)
def test_other_content_is_not_an_image(content: bytes) -> None:
    assert photos.read_image_header(content) is None


def test_display_name_drops_folders_and_control_characters() -> None:
    assert photos.display_name("C:\\Users\\me\\лічильник\n.jpg") == "лічильник.jpg"


async def test_confirmation_with_photo_is_accepted_and_stored(
    photo_client: Any, outbox: Path, photo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)
    content = png_image(4, 3)

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.png", content, "image/png")},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "accepted"
    stored = await stored_photos(photo_client)
    assert [(p.submission_id, p.media_type, p.width, p.height) for p in stored] == [
        (response.json()["id"], "image/png", 4, 3)
    ]
    assert (photo_folder / stored[0].stored_path).read_bytes() == content


async def test_photo_type_comes_from_content(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.png", jpeg_header(), "application/octet-stream")},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    stored = await stored_photos(photo_client)
    assert stored[0].media_type == "image/jpeg"
    assert stored[0].stored_path.endswith(".jpg")


async def test_confirmation_without_photo_is_accepted(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(confirmation_url(account, reading_id), headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "accepted"
    assert await stored_photos(photo_client) == []


async def test_ten_megabyte_photo_is_413(
    photo_client: Any, outbox: Path, photo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, accepted_id, reading_id = await needs_confirmation(
        photo_client, outbox, monkeypatch
    )
    before = await outcomes(photo_client)
    content = png_image() + b"\x00" * 10_000_000

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.png", content, "image/png")},
        headers=headers,
    )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "photo_too_large"
    assert "meter.png" in body["detail"]
    assert str(PHOTO_LIMIT) in body["detail"]
    assert await outcomes(photo_client) == before
    assert before[accepted_id] == ("accepted", None)
    assert not photo_folder.exists()


async def test_pdf_renamed_to_jpg_is_415(
    photo_client: Any, outbox: Path, photo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, accepted_id, reading_id = await needs_confirmation(
        photo_client, outbox, monkeypatch
    )

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.jpg", PDF, "image/jpeg")},
        headers=headers,
    )

    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "unsupported_photo"
    assert body["field"] == "photo"
    assert "meter.jpg" in body["detail"]
    assert "image/jpeg, image/png" in body["detail"]
    after = await outcomes(photo_client)
    assert after[accepted_id] == ("accepted", None)
    assert after[reading_id] == ("needs_confirmation", None)
    assert not photo_folder.exists()


async def test_unsupported_photo_detail_in_english(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.jpg", PDF, "image/jpeg")},
        headers={**headers, "Accept-Language": "en"},
    )

    assert response.json()["detail"].startswith("File 'meter.jpg' is not a readable JPEG or PNG")


async def test_photo_as_text_field_is_400(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": (None, b"not a file")},
        headers=headers,
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "photo"


async def test_accepted_reading_cannot_be_confirmed(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, accepted_id, _ = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(
        confirmation_url(account, accepted_id),
        files={"photo": ("meter.png", png_image(), "image/png")},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "reading_not_awaiting_confirmation"
    assert await stored_photos(photo_client) == []


async def test_unknown_reading_is_404(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(confirmation_url(account, reading_id + 100), headers=headers)

    assert response.status_code == 404
    assert response.json()["code"] == "reading_not_found"


async def test_other_customer_cannot_confirm(
    photo_client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signed in first, so the code is the last SMS and no acceptance message comes after it.
    stranger = await sign_in(photo_client, outbox, phone="+380501112233")
    account, _, _, reading_id = await needs_confirmation(photo_client, outbox, monkeypatch)

    response = await photo_client.post(
        confirmation_url(account, reading_id),
        files={"photo": ("meter.png", png_image(), "image/png")},
        headers=stranger,
    )

    assert response.status_code == 403
    assert response.json()["code"] == "account_forbidden"
    assert await stored_photos(photo_client) == []
