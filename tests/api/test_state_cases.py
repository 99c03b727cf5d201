"""Each state-now rule, stored through the import API and read back through the lookup, on
every database the suite runs on.

tests/outages contains the same rules as unit tests of the readers and of the outlook. Here each
case goes the whole way: a source document in YASNO's or DTEK's format is imported, stored as
a version, loaded into the in-memory index and answered for вул. Здановської Юлії 71/З
(queue 36.1) at a chosen instant.
"""

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from core.cli import main
from core.settings import Settings
from core.timezone import local_midnight_utc
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file, staff_headers

HOUSES = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
STREET = "вул. Здановської Юлії"
HOUSE = "71/З"
QUEUE = "36.1"
DAY = dt.date(2026, 1, 29)
UPDATED = "2026-01-29T05:00:00+00:00"


@pytest.fixture
async def building(client: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import the real DTEK house list of the street, so 71/З is in queue 36.1."""
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    arguments = ["import", "addresses", "--region", "kyiv", "--street", STREET]
    assert await asyncio.to_thread(main, [*arguments, str(shared_file(HOUSES))]) == 0
    await refresh_indexes(client)


def _day(date: dt.date, spans: list[tuple[int, int]], status: str) -> dict[str, Any]:
    """Return a YASNO day: the given minute spans off, the rest of the day on."""
    slots, cursor = [], 0
    for start, end in spans:
        if start > cursor:
            slots.append({"start": cursor, "end": start, "type": "NotPlanned"})
        slots.append({"start": start, "end": end, "type": "Definite"})
        cursor = end
    if spans and cursor < 1440:
        slots.append({"start": cursor, "end": 1440, "type": "NotPlanned"})
    return {"slots": slots, "date": f"{date.isoformat()}T00:00:00+02:00", "status": status}


def yasno(
    today: list[tuple[int, int]],
    tomorrow: list[tuple[int, int]] | None = None,
    *,
    today_status: str = "ScheduleApplies",
    updated: str = UPDATED,
) -> bytes:
    """Return a YASNO planned-outages document for queue 36.1 on 2026-01-29 and the day after."""
    next_day = DAY + dt.timedelta(days=1)
    document = {
        QUEUE: {
            "today": _day(DAY, today, today_status),
            "tomorrow": (
                _day(next_day, tomorrow, "ScheduleApplies")
                if tomorrow is not None
                else _day(next_day, [], "WaitingForSchedule")
            ),
            "updatedOn": updated,
        }
    }
    return json.dumps(document).encode()


async def _import(client: Any, content: bytes, filename: str) -> None:
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=content,
        params={"filename": filename},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text
    await refresh_indexes(client)


async def _lookup(client: Any, at: str) -> dict[str, Any]:
    """Look up 71/З at `at`, a Kyiv wall-clock time such as `01-29T12:10`."""
    response = await client.get(
        "/api/v1/regions/kyiv/outages",
        params={"street": STREET, "house": HOUSE, "at": f"2026-{at}:00+02:00"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["queue"] == QUEUE
    return body


def _half_hours(start: int, end: int) -> list[tuple[int, int]]:
    return [(minute, minute + 30) for minute in range(start, end, 30)]


async def test_half_hour_pieces_read_as_one_outage(client: Any, building: None) -> None:
    pieces = _half_hours(10 * 60 + 30, 14 * 60)
    assert len(pieces) == 7
    await _import(client, yasno(pieces), "yasno.json")

    body = await _lookup(client, "01-29T12:10")

    assert body["state"] == {
        "value": "off",
        "since": "2026-01-29T10:30:00+02:00",
        "until": "2026-01-29T14:00:00+02:00",
    }
    assert len(body["days"][0]["intervals"]) == 1


async def test_between_outages_next_ends_at_own_end(client: Any, building: None) -> None:
    await _import(client, yasno([(330, 750), (960, 1170)]), "yasno.json")

    body = await _lookup(client, "01-29T14:00")

    assert body["state"] == {
        "value": "on",
        "since": "2026-01-29T12:30:00+02:00",
        "until": "2026-01-29T16:00:00+02:00",
    }
    assert body["next_outage"]["start"] == "2026-01-29T16:00:00+02:00"
    assert body["next_outage"]["end"] == "2026-01-29T19:30:00+02:00"


async def test_outage_end_is_exclusive(client: Any, building: None) -> None:
    await _import(client, yasno([(0, 60)]), "yasno.json")

    just_before = await _lookup(client, "01-29T00:59")
    at_end = await _lookup(client, "01-29T01:00")

    assert just_before["state"]["value"] == "off"
    assert at_end["state"]["value"] == "on"
    assert at_end["state"]["since"] == "2026-01-29T01:00:00+02:00"


async def test_last_minute_ends_at_next_midnight(client: Any, building: None) -> None:
    await _import(client, yasno([(1260, 1440)], []), "yasno.json")

    body = await _lookup(client, "01-29T21:30")

    assert body["state"]["until"] == "2026-01-30T00:00:00+02:00"
    assert body["days"][0]["intervals"][-1]["end"] == "2026-01-30T00:00:00+02:00"


async def test_outage_over_midnight_from_two_days(client: Any, building: None) -> None:
    await _import(client, yasno([(1260, 1440)], [(0, 120)]), "yasno.json")

    body = await _lookup(client, "01-29T22:00")

    assert body["state"] == {
        "value": "off",
        "since": "2026-01-29T21:00:00+02:00",
        "until": "2026-01-30T02:00:00+02:00",
    }


async def test_emergency_day_is_not_outage_free(client: Any, building: None) -> None:
    await _import(client, yasno([], today_status="EmergencyShutdowns"), "yasno.json")

    body = await _lookup(client, "01-29T12:00")

    assert body["days"][0]["status"] == "emergency"
    assert body["state"]["value"] != "on"
    assert body["next_outage_known"] is False


async def test_day_without_data_is_not_outage_free(client: Any, building: None) -> None:
    await _import(client, yasno([(0, 60)]), "yasno.json")

    body = await _lookup(client, "01-30T12:00")

    assert body["days"][0]["date"] == "2026-01-30"
    assert body["days"][0]["status"] != "no_outages"
    assert body["state"]["value"] == "unknown"
    assert body["next_outage_known"] is False


async def test_five_day_old_update_is_stale(client: Any, building: None) -> None:
    await _import(client, yasno([(0, 60)], [(0, 60)]), "yasno.json")

    body = await _lookup(client, "02-03T12:00")

    assert body["source"]["stale"] is True
    assert body["source"]["updated_at"] == "2026-01-29T07:00:00+02:00"
    assert body["days"][0]["date"] == "2026-02-03"
    assert body["days"][0]["status"] == "no_data"
    assert body["state"]["value"] == "unknown"


def _dtek_page(day: dt.date, fact_row: dict[str, str], preset_row: dict[str, str]) -> bytes:
    stamp = str(int(local_midnight_utc(day).timestamp()))
    fact = {
        "data": {stamp: {f"GPV{QUEUE}": fact_row}},
        "update": "29.01.2026 07:00",
        "today": int(stamp),
    }
    preset = {
        "days": {str(weekday): "" for weekday in range(1, 8)},
        "data": {f"GPV{QUEUE}": {str(weekday): preset_row for weekday in range(1, 8)}},
        "updateFact": "29.01.2026 07:00",
    }
    script = (
        f"DisconSchedule.fact = {json.dumps(fact)}\nDisconSchedule.preset = {json.dumps(preset)}\n"
    )
    return f"<html><body><script>\n{script}</script></body></html>".encode()


async def test_dtek_rows_read_as_half_hours(client: Any, building: None) -> None:
    fact_states = {
        1: "no",
        2: "first",
        3: "yes",
        4: "second",
        5: "no",
        6: "no",
        7: "first",
        24: "second",
    }
    preset_states = {1: "maybe", 2: "mfirst", 3: "yes", 4: "msecond", 5: "maybe"}
    fact_row = {str(hour): fact_states.get(hour, "yes") for hour in range(1, 25)}
    preset_row = {str(hour): preset_states.get(hour, "yes") for hour in range(1, 25)}
    await _import(client, _dtek_page(DAY, fact_row, preset_row), "shutdowns.html")

    day = (
        await client.get(
            f"/api/v1/regions/kyiv/queues/{QUEUE}/schedule", params={"date": "2026-01-29"}
        )
    ).json()
    template = (await client.get(f"/api/v1/regions/kyiv/queues/{QUEUE}/template")).json()

    assert [(i["start"], i["end"]) for i in day["intervals"]] == [
        ("2026-01-29T00:00:00+02:00", "2026-01-29T01:30:00+02:00"),
        ("2026-01-29T03:30:00+02:00", "2026-01-29T06:30:00+02:00"),
        ("2026-01-29T23:30:00+02:00", "2026-01-30T00:00:00+02:00"),
    ]
    monday = [
        (span["start"], span["end"], span["state"])
        for span in template["spans"]
        if span["weekday"] == 1
    ]
    assert template["layer"] == "weekly_template"
    assert monday == [("00:00", "01:30", "possible"), ("03:30", "05:00", "possible")]
