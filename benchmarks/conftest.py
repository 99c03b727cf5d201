"""Fixtures of the in-process benchmarks: indexes built once per session."""

import json
import os
import random
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import build_index
from core.addresses.index import RegionIndex, StreetEntry
from core.addresses.normalize import (
    split_kyiv_street_entry,
    street_key,
    street_token_set,
    street_type,
)

SHARED_DATA = Path(
    os.environ.get("DSO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
NATIONAL_STREETS = int(os.environ.get("DSO_BENCH_STREETS", "100000"))
NATIONAL_BUILDINGS = int(os.environ.get("DSO_BENCH_BUILDINGS", "2000000"))


def resident_megabytes() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture(scope="session")
def national_index() -> RegionIndex:
    before, started = resident_megabytes(), time.perf_counter()
    index = build_index(NATIONAL_STREETS, NATIONAL_BUILDINGS)
    seconds, megabytes = time.perf_counter() - started, resident_megabytes() - before
    print(
        f"\nnational index: {len(index.streets)} streets, {len(index.buildings)} buildings, "
        f"built in {seconds:.1f} s, {megabytes:.0f} MB resident"
    )
    return index


@pytest.fixture(scope="session")
def kyiv_index() -> tuple[RegionIndex, list[str]]:
    path = SHARED_DATA / "addresses" / "dtek-kem_streets_list_2026-01-29.json"
    if not path.exists():
        pytest.skip("the real Kyiv street list is not present beside this checkout")
    raw = json.loads(path.read_bytes())
    index = RegionIndex()
    for street_id, entry in enumerate(raw, start=1):
        name, district, _qualifier = split_kyiv_street_entry(entry)
        tokens = " ".join(sorted(street_token_set(name)))
        index.add_street(
            StreetEntry(
                street_id, name, street_key(name), tokens, street_type(name), district, None, None
            )
        )
    index.finish()
    return index, raw


@pytest.fixture
def sampler() -> random.Random:
    return random.Random(11)
