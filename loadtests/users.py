"""Locust users of the lookup path: people checking their address the minute a schedule is out.

Each user picks a sample address written by `loadtests.dataset` and types the street a few
letters at a time. Then it picks the street, lists its buildings, looks up the building's
outages and checks that the response names the queue the dataset stored. Some users also
resolve the address as free text, open the region page, or fetch the queue's calendar or
schedule, and every user re-checks its lookup later. Every response is checked for content,
not only for its status code.
"""

import csv
import os
import random
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import gevent
from locust import FastHttpUser, between, task

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ADDRESSES_ENV = "DSO_LOADTEST_ADDRESSES"
DEFAULT_ADDRESSES = PROJECT_ROOT / "var" / "loadtest" / "addresses.csv"
# Multiplies every pause and wait: 1 is a person's pace, the smoke test uses a fraction of it.
PACE = float(os.environ.get("DSO_LOADTEST_PACE", "1"))

# Letters typed before each autocomplete request.
TYPED_PREFIXES = (3, 5, 8)
# Pause between two steps of one person, in seconds, before PACE.
STEP_PAUSE = (0.3, 1.2)
# Share of flows that also resolve free text, open the page, fetch the calendar or schedule.
RESOLVE_SHARE = 0.3
PAGE_SHARE = 0.3
CALENDAR_SHARE = 0.2
SCHEDULE_SHARE = 0.2

LEADING_NUMBER = re.compile(r"\d*")

# Content checks that passed, by request name. The locustfile reports them at quit.
PASSED_CHECKS: Counter[str] = Counter()


@dataclass(frozen=True)
class SampleAddress:
    region: str
    street_id: int
    street: str
    house: str
    building_id: int
    queues: tuple[str, ...]
    typed: str
    resolve: str


@dataclass
class OptionalRoutes:
    """Routes that a build of the platform may not have yet; a 404 on the probe turns them off."""

    page: bool = True
    calendar: bool = True


ROUTES = OptionalRoutes()
_addresses: list[SampleAddress] = []


def addresses_path() -> Path:
    return Path(os.environ.get(ADDRESSES_ENV, DEFAULT_ADDRESSES))


def load_addresses(path: Path) -> list[SampleAddress]:
    """Read the sample addresses CSV; raise FileNotFoundError with the command that writes it."""
    if not path.is_file():
        raise FileNotFoundError(
            f"sample addresses {path} not found; build them with "
            f"`python -m loadtests.dataset --out {path}` or set {ADDRESSES_ENV}"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [_sample(row) for row in csv.DictReader(handle)]
    if not rows:
        raise ValueError(f"sample addresses {path} has no rows; build the dataset again")
    return rows


def _sample(row: dict[str, str]) -> SampleAddress:
    return SampleAddress(
        region=row["region"],
        street_id=int(row["street_id"]),
        street=row["street"],
        house=row["house"],
        building_id=int(row["building_id"]),
        queues=tuple(row["queues"].split("+")),
        typed=row["typed"],
        resolve=row["resolve"],
    )


def sample_addresses() -> list[SampleAddress]:
    if not _addresses:
        _addresses.extend(load_addresses(addresses_path()))
    return _addresses


def probe_optional_routes(host: str, address: SampleAddress) -> OptionalRoutes:
    """Turn off the page or calendar steps when the server under test returns 404 for the route."""
    ROUTES.page = _route_exists(
        f"{host}/regions/{address.region}?{urlencode(lookup_query(address))}"
    )
    calendar = f"/queues/{quote(address.queues[0])}/calendar.ics"
    ROUTES.calendar = _route_exists(f"{host}/api/v1/regions/{address.region}{calendar}")
    return ROUTES


def _route_exists(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=30):
            return True
    except urllib.error.HTTPError as error:
        return error.code != 404


def lookup_query(address: SampleAddress) -> dict[str, Any]:
    return {"street_id": address.street_id, "house": address.house}


def expected_queue_text(queues: tuple[str, ...]) -> str:
    return "+".join(queues)


def answer_matches_queues(answer: dict[str, Any], queues: tuple[str, ...]) -> bool:
    """Return whether a lookup response names the stored queues.

    A building on one queue has it as `queue`; a building fed by two lines has `queue` null and
    both in `queues`.
    """
    if len(queues) == 1:
        return bool(answer.get("queue") == queues[0])
    return answer.get("queue") is None and sorted(answer.get("queues") or []) == sorted(queues)


class BlackoutUser(FastHttpUser):
    """A person without power who checks when it comes back, then checks again."""

    wait_time = between(1 * PACE, 5 * PACE)

    @task
    def check_my_address(self) -> None:
        address = random.choice(sample_addresses())
        self.type_street(address)
        self.list_buildings(address)
        etag = self.look_up(address)
        if address.resolve and random.random() < RESOLVE_SHARE:
            self.resolve(address)
        if ROUTES.page and random.random() < PAGE_SHARE:
            self.open_page(address)
        if ROUTES.calendar and random.random() < CALENDAR_SHARE:
            self.fetch_calendar(address)
        if random.random() < SCHEDULE_SHARE:
            self.fetch_schedule(address)
        self.recheck(address, etag)

    def pause(self) -> None:
        gevent.sleep(random.uniform(*STEP_PAUSE) * PACE)

    def api(self, address: SampleAddress, path: str, query: dict[str, Any] | None = None) -> str:
        suffix = f"?{urlencode(query)}" if query else ""
        return f"/api/v1/regions/{address.region}{path}{suffix}"

    def type_street(self, address: SampleAddress) -> None:
        for position, length in enumerate(TYPED_PREFIXES):
            if position and length > len(address.typed):
                break
            prefix = address.typed[:length].rstrip(" ,.-'’")
            url = self.api(address, "/addresses/streets", {"q": prefix})
            with self.client.get(url, name="autocomplete", catch_response=True) as response:
                hits = _json_or_fail(response)
                if hits is not None:
                    _check(response, "autocomplete", bool(hits), f"no street for {prefix!r}")
            self.pause()

    def list_buildings(self, address: SampleAddress) -> None:
        # A person types the building's number first: "12" of "12/4" or "12А".
        digits = LEADING_NUMBER.match(address.house).group() or address.house  # type: ignore[union-attr]
        url = self.api(address, f"/addresses/streets/{address.street_id}/buildings", {"q": digits})
        with self.client.get(url, name="buildings", catch_response=True) as response:
            found = _json_or_fail(response)
            if found is not None:
                ids = {item.get("building_id") for item in found}
                message = f"building {address.building_id} missing for q={digits!r}"
                _check(response, "buildings", address.building_id in ids, message)
        self.pause()

    def look_up(self, address: SampleAddress) -> str | None:
        """Look the building up by street and house; return the answer's ETag, if any."""
        url = self.api(address, "/outages", lookup_query(address))
        with self.client.get(url, name="lookup", catch_response=True) as response:
            answer = _json_or_fail(response)
            if answer is not None:
                _check_queues(response, "lookup", answer, address)
            etag = response.headers.get("etag") if response.headers else None
        self.pause()
        return etag

    def resolve(self, address: SampleAddress) -> None:
        url = self.api(address, "/addresses/resolve", {"address": address.resolve})
        with self.client.get(url, name="resolve", catch_response=True) as response:
            answer = _json_or_fail(response)
            if answer is not None:
                building = answer.get("building") or {}
                found = answer.get("status") == "found"
                matched = found and building.get("building_id") == address.building_id
                message = f"{address.resolve!r} resolved to {answer.get('status')}, {building}"
                _check(response, "resolve", matched, message)
        self.pause()

    def open_page(self, address: SampleAddress) -> None:
        url = f"/regions/{address.region}?{urlencode(lookup_query(address))}"
        with self.client.get(url, name="page", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                text = response.text or ""
                on_page = all(queue in text for queue in address.queues)
                _check(response, "page", on_page, f"queue {address.queues} not on the page")
        self.pause()

    def fetch_calendar(self, address: SampleAddress) -> None:
        url = self.api(address, f"/queues/{quote(address.queues[0])}/calendar.ics")
        with self.client.get(url, name="ics", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                starts = (response.content or b"").startswith(b"BEGIN:VCALENDAR")
                _check(response, "ics", starts, "the body does not start with BEGIN:VCALENDAR")
        self.pause()

    def fetch_schedule(self, address: SampleAddress) -> None:
        url = self.api(address, f"/queues/{quote(address.queues[0])}/schedule")
        with self.client.get(url, name="schedule", catch_response=True) as response:
            day = _json_or_fail(response)
            if day is not None:
                same = day.get("queue") == address.queues[0]
                _check(response, "schedule", same, f"schedule of {day.get('queue')!r}")
        self.pause()

    def recheck(self, address: SampleAddress, etag: str | None) -> None:
        """Look the building up again, conditionally when the first response had an ETag."""
        self.pause()
        headers = {"If-None-Match": etag} if etag else {}
        url = self.api(address, "/outages", lookup_query(address))
        with self.client.get(
            url, name="lookup-recheck", headers=headers, catch_response=True
        ) as response:
            if response.status_code == 304:
                _check(response, "lookup-recheck", bool(etag), "304 to a request without ETag")
                return
            answer = _json_or_fail(response)
            if answer is not None:
                _check_queues(response, "lookup-recheck", answer, address)


def _json_or_fail(response: Any) -> Any:
    """Return the JSON body of a 200 response, or mark the request failed and return None."""
    if response.status_code != 200:
        response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
        return None
    try:
        return response.json()
    except ValueError as error:
        response.failure(f"invalid JSON: {error}")
        return None


def _check_queues(response: Any, name: str, answer: dict[str, Any], address: SampleAddress) -> None:
    matched = answer_matches_queues(answer, address.queues)
    message = (
        f"building {address.building_id}: expected queue {expected_queue_text(address.queues)}, "
        f"got queue {answer.get('queue')!r}, queues {answer.get('queues')!r}"
    )
    _check(response, name, matched, message)


def _check(response: Any, name: str, passed: bool, message: str) -> None:
    if passed:
        PASSED_CHECKS[name] += 1
        response.success()
    else:
        response.failure(message)
