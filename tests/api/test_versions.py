"""Schedule versions: one per real change, with the exact intervals added and removed."""

import json
from typing import Any

from tests.conftest import shared_file, staff_headers

YASNO = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"


async def _import(client: Any, content: bytes, name: str = "yasno.json") -> dict[str, Any]:
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=content,
        params={"filename": name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _with_queue_36_1_changed(document: dict[str, Any]) -> bytes:
    """Move the start of queue 36.1's first outage on 2026-01-29 from 06:30 to 07:30."""
    slots = document["36.1"]["today"]["slots"]
    assert slots[0] == {"start": 0, "end": 390, "type": "NotPlanned"}
    slots[0]["end"] = 450
    slots[1]["start"] = 450
    return json.dumps(document).encode()


async def test_same_file_twice_makes_one_version(client: Any) -> None:
    content = shared_file(YASNO).read_bytes()
    await _import(client, content)
    await _import(client, content)

    versions = (await client.get("/api/v1/regions/kyiv/schedule/versions")).json()
    assert len(versions) == 1


async def test_changed_file_diff_is_exactly_the_change(client: Any) -> None:
    content = shared_file(YASNO).read_bytes()
    await _import(client, content)
    await _import(client, _with_queue_36_1_changed(json.loads(content)), "changed.json")

    versions = (
        await client.get("/api/v1/regions/kyiv/schedule/versions", params={"since": 0})
    ).json()
    assert len(versions) == 2
    changes = versions[1]["changes"]
    assert [(c["queue"], c["date"]) for c in changes] == [("36.1", "2026-01-29")]
    assert changes[0]["removed"] == [
        {"start": "2026-01-29T06:30:00+02:00", "end": "2026-01-29T13:30:00+02:00", "state": "off"}
    ]
    assert changes[0]["added"] == [
        {"start": "2026-01-29T07:30:00+02:00", "end": "2026-01-29T13:30:00+02:00", "state": "off"}
    ]


async def test_versions_since_skips_older(client: Any) -> None:
    content = shared_file(YASNO).read_bytes()
    first = await _import(client, content)
    await _import(client, _with_queue_36_1_changed(json.loads(content)), "changed.json")

    since = first["files"][0]["version_id"]
    versions = (
        await client.get("/api/v1/regions/kyiv/schedule/versions", params={"since": since})
    ).json()
    assert [v["id"] for v in versions] == [since + 1]


async def test_version_check_answers_304_when_unchanged(client: Any) -> None:
    await _import(client, shared_file(YASNO).read_bytes())
    first = await client.get("/api/v1/regions/kyiv/schedule/version")
    etag = first.headers["etag"]

    again = await client.get(
        "/api/v1/regions/kyiv/schedule/version", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert first.json()["version"] == 1


async def test_weekly_template_is_its_own_layer(client: Any) -> None:
    page = shared_file("dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html")
    await _import(client, page.read_bytes(), page.name)

    body = (await client.get("/api/v1/regions/kyiv/queues/36.1/template")).json()
    assert body["layer"] == "weekly_template"
    assert body["spans"]
    assert {span["state"] for span in body["spans"]} <= {"possible", "off"}


async def test_change_reports_day_totals(client: Any) -> None:
    content = shared_file(YASNO).read_bytes()
    await _import(client, content)
    await _import(client, _with_queue_36_1_changed(json.loads(content)), "changed.json")

    change = (await client.get("/api/v1/regions/kyiv/schedule/versions")).json()[1]["changes"][0]
    assert change["hours_off_before"] == 14.0
    assert change["hours_off"] == 13.0
