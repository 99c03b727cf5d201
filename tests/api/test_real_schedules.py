"""Real DTEK and YASNO files imported through the admin API are served interval for interval."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.expected import dtek_fact_expectation, served_intervals, yasno_expectation
from tests.conftest import shared_file, staff_headers

DTEK_FILES = [
    ("kyiv", "dtek/dtek-kem_2026-06-29T1027Z_9f06ddde.json"),
    ("kyiv", "dtek/dtek-kem_2026-06-30T1724Z_369b120c.json"),
    ("kyiv_region", "dtek/dtek-krem_2026-06-30T1724Z_369b120c.json"),
    ("kyiv_region", "dtek/outage-data-ua_kyiv-region_2026-02-25T1437Z_e7c027d8.json"),
    ("dnipro", "dtek/dtek-dnem_2026-07-01T0918Z_86af11bd.json"),
    ("dnipro", "dtek/dtek-dnem_fact_2025-11-16T2208Z_aaeec615.json"),
    ("dnipro", "dtek/dtek-dnem_fact_2025-11-19T2208Z_ad66bc44.json"),
    ("odesa", "dtek/dtek-oem_2026-07-01T0918Z_86af11bd.json"),
    ("donetsk", "dtek/dtek-dem_2026-07-01T0939Z_72a51c17.json"),
]
PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
YASNO_KYIV = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"


def _fact_of(document: dict[str, Any]) -> dict[str, Any]:
    if "raw" in document:
        return document["raw"]["fact"]
    return document.get("fact", document)


def _page_fact(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    start = text.index("DisconSchedule.fact = ") + len("DisconSchedule.fact = ")
    fact, _end = json.JSONDecoder().raw_decode(text, start)
    return fact


async def _import(client: Any, region: str, path: Path) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/admin/regions/{region}/schedules",
        content=path.read_bytes(),
        params={"filename": path.name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _assert_served(client: Any, region: str, expected: dict[Any, Any]) -> None:
    for (queue, day), intervals in expected.items():
        response = await client.get(
            f"/api/v1/regions/{region}/queues/{queue}/schedule", params={"date": day.isoformat()}
        )
        assert response.status_code == 200, response.text
        assert served_intervals(response.json()) == intervals, f"{region} {queue} {day}"


@pytest.mark.parametrize(("region", "relative"), DTEK_FILES)
async def test_dtek_file_served_as_published(client: Any, region: str, relative: str) -> None:
    path = shared_file(relative)
    await _import(client, region, path)
    expected = dtek_fact_expectation(_fact_of(json.loads(path.read_bytes())))
    await _assert_served(client, region, expected)


async def test_dtek_page_served_as_published(client: Any) -> None:
    path = shared_file(PAGE)
    await _import(client, "kyiv", path)
    expected = dtek_fact_expectation(_page_fact(path))
    assert len({queue for queue, _day in expected}) == 60
    await _assert_served(client, "kyiv", expected)


async def test_yasno_kyiv_served_as_published(client: Any) -> None:
    path = shared_file(YASNO_KYIV)
    await _import(client, "kyiv", path)
    await _assert_served(client, "kyiv", yasno_expectation(json.loads(path.read_bytes())))


async def test_same_file_twice_makes_one_version(client: Any) -> None:
    path = shared_file(YASNO_KYIV)
    first = await _import(client, "kyiv", path)
    second = await _import(client, "kyiv", path)
    assert first["files"][0]["changed"] is True
    assert second["files"][0]["changed"] is False
    assert second["files"][0]["version_id"] is None


async def test_yasno_after_dtek_page_is_unchanged(client: Any) -> None:
    """Both sources published the same 2026-01-29 schedule, so the second import changes nothing for that day."""
    await _import(client, "kyiv", shared_file(PAGE))
    report = await _import(client, "kyiv", shared_file(YASNO_KYIV))
    today = [d for d in report["files"][0]["days"] if d["date"] == "2026-01-29"]
    assert today
    response = await client.get(
        "/api/v1/regions/kyiv/queues/36.1/schedule", params={"date": "2026-01-29"}
    )
    assert response.json()["source"]["name"].startswith("ДТЕК")


async def test_truncated_file_changes_nothing(client: Any) -> None:
    path = shared_file(YASNO_KYIV)
    content = path.read_bytes()
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=content[: len(content) // 2],
        params={"filename": "cut.json"},
        headers=staff_headers(),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "cut.json" in response.json()["detail"]
    served = await client.get(
        "/api/v1/regions/kyiv/queues/36.1/schedule", params={"date": "2026-01-29"}
    )
    assert served.json()["status"] == "no_data"


async def test_file_of_another_region_is_rejected(client: Any) -> None:
    path = shared_file(PAGE)
    response = await _post(client, "dnipro", path.read_bytes())
    assert response.status_code == 422
    assert response.json()["code"] == "queue_not_in_region"


async def test_import_without_token_is_401(client: Any) -> None:
    response = await client.post("/api/v1/admin/regions/kyiv/schedules", content=b"{}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def _post(client: Any, region: str, content: bytes) -> Any:
    return await client.post(
        f"/api/v1/admin/regions/{region}/schedules",
        content=content,
        params={"filename": "f.json"},
        headers=staff_headers(),
    )
