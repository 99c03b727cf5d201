"""Measure how long a published schedule takes to reach another server process.

Imports a changed schedule through the admin API of one server (the writer) and polls the
outage lookup of one building on another server (the reader) until the response's ETag changes.
Both servers must share one database and run on this machine. Each round moves one queue's
outage to a new hour, so every import makes a new version.

    python -m benchmarks.http.publish_latency --writer http://127.0.0.1:8101 \\
        --reader http://127.0.0.1:8102 --samples var/loadtest/addresses.csv

The staff token is read from `DSO_SECURITY_STAFF_TOKEN`, the variable both servers were given.
"""

import argparse
import csv
import ipaddress
import os
import socket
import statistics
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import msgspec

from core.demo import demo_days
from core.formats.yasno import write_yasno_planned_outages
from core.settings import load_settings
from core.timezone import local_day, now_utc

POLL_SECONDS = 0.02


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writer", required=True, help="base URL of the server that imports")
    parser.add_argument("--reader", required=True, help="base URL of the server that is polled")
    parser.add_argument("--samples", type=Path, required=True, help="CSV of loadtests.dataset")
    parser.add_argument("--region", default="kyiv", help="region to publish in (YASNO format)")
    parser.add_argument("--rounds", type=int, default=5, help="publishes to measure")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="maximum wait for one change, in seconds"
    )
    args = parser.parse_args()
    for url in (args.writer, args.reader):
        _require_loopback(url)
    token = os.environ.get("DSO_SECURITY_STAFF_TOKEN", "")
    if not token:
        raise SystemExit("DSO_SECURITY_STAFF_TOKEN is not set: give it the servers' staff token")

    street_id, house, queue = _sample_building(args.samples, args.region)
    lookup = f"/api/v1/regions/{args.region}/outages?{urlencode({'street_id': street_id, 'house': house})}"
    queues = load_settings().regions[args.region].queue_set.ids()

    seconds: list[float] = []
    for round_number in range(args.rounds):
        before = _etag(args.reader + lookup)
        body = _changed_schedule(queues, queue, round_number)
        started = time.perf_counter()
        _post(args.writer, args.region, body, token, round_number)
        imported = time.perf_counter() - started
        while _etag(args.reader + lookup) == before:
            if time.perf_counter() - started > args.timeout:
                raise SystemExit(f"the reader did not show the change within {args.timeout} s")
            time.sleep(POLL_SECONDS)
        visible = time.perf_counter() - started
        seconds.append(visible)
        print(
            f"publish: round {round_number + 1}: import {imported:.2f} s, visible {visible:.2f} s"
        )

    print(
        f"RESULT publish_rounds={len(seconds)} publish_min_s={min(seconds):.2f} "
        f"publish_median_s={statistics.median(seconds):.2f} publish_max_s={max(seconds):.2f}"
    )
    return 0


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"{url} is not a loopback address; this tool only talks to local servers")


def _sample_building(samples: Path, region: str) -> tuple[str, str, str]:
    """Return street id, house and queue of the first sample in `region` with a single queue."""
    with samples.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["region"] == region and "+" not in row["queues"]:
                return row["street_id"], row["house"], row["queues"]
    raise SystemExit(f"no sample address of region {region} in {samples}")


def _changed_schedule(queues: tuple[str, ...], queue: str, round_number: int) -> bytes:
    """Return the demo schedule as YASNO JSON, with `queue` off for an hour that moves every round."""
    today = local_day(now_utc())
    days = demo_days(today, queues)
    start = (60 + 90 * round_number + 30 * int(time.time() // 60)) % 1380
    days[today][queue] = [(start, start + 60)]
    return msgspec.json.encode(write_yasno_planned_outages(days, updated_at=now_utc()))


def _post(base: str, region: str, body: bytes, token: str, round_number: int) -> None:
    request = urllib.request.Request(
        f"{base}/api/v1/admin/regions/{region}/schedules/?filename=bench-publish-{round_number}.json",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def _etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return str(response.headers.get("ETag", ""))


if __name__ == "__main__":
    raise SystemExit(main())
