"""In-process latency of autocomplete and resolve, on a national-scale registry and on Kyiv's.

Run with `make bench`; pytest-benchmark reports the distribution of each call.
"""

import random
import time

from core.addresses import search
from core.addresses.index import RegionIndex


def _prefix_queries(index: RegionIndex, sampler: random.Random, count: int = 500) -> list[str]:
    names = [street.name for street in index.streets.values()]
    picked = sampler.sample(names, min(count, len(names)))
    return [name.split(" ", 1)[-1][: sampler.randint(3, 8)] for name in picked]


def _addresses(index: RegionIndex, sampler: random.Random, count: int = 500) -> list[str]:
    buildings = sampler.sample(list(index.buildings.values()), min(count, len(index.buildings)))
    return [f"{index.streets[b.street_id].name} {b.number}" for b in buildings]


def test_national_autocomplete(
    benchmark, national_index: RegionIndex, sampler: random.Random
) -> None:  # type: ignore[no-untyped-def]
    queries = iter(_prefix_queries(national_index, sampler) * 1000)
    benchmark(lambda: search.search_streets(national_index, next(queries), 10))


def test_national_resolve(benchmark, national_index: RegionIndex, sampler: random.Random) -> None:  # type: ignore[no-untyped-def]
    addresses = iter(_addresses(national_index, sampler) * 1000)
    result = benchmark(lambda: search.resolve(national_index, next(addresses)))
    assert result.status == "found"


def test_kyiv_autocomplete(
    benchmark, kyiv_index: tuple[RegionIndex, list[str]], sampler: random.Random
) -> None:  # type: ignore[no-untyped-def]
    index, _raw = kyiv_index
    queries = iter(_prefix_queries(index, sampler) * 1000)
    benchmark(lambda: search.search_streets(index, next(queries), 10))


def test_kyiv_resolve_street(
    benchmark, kyiv_index: tuple[RegionIndex, list[str]], sampler: random.Random
) -> None:  # type: ignore[no-untyped-def]
    index, raw = kyiv_index
    streets = iter(sampler.sample(raw, 500) * 1000)
    benchmark(lambda: search.exact_streets(index, next(streets)))


def _percentiles(call, inputs: list[str]) -> str:  # type: ignore[no-untyped-def]
    timings = []
    for value in inputs:
        started = time.perf_counter()
        call(value)
        timings.append((time.perf_counter() - started) * 1e6)
    timings.sort()
    return f"p50 {timings[len(timings) // 2]:.0f} µs, p99 {timings[int(len(timings) * 0.99)]:.0f} µs over {len(timings)} calls"


def test_percentiles(
    national_index: RegionIndex, kyiv_index: tuple[RegionIndex, list[str]], sampler: random.Random
) -> None:
    """Print p50 and p99 of each search, as pytest-benchmark reports means and extremes only."""
    kyiv, raw = kyiv_index
    rows = {
        "national autocomplete": (
            lambda q: search.search_streets(national_index, q, 10),
            _prefix_queries(national_index, sampler, 2000),
        ),
        "national resolve": (
            lambda a: search.resolve(national_index, a),
            _addresses(national_index, sampler, 2000),
        ),
        "kyiv autocomplete": (
            lambda q: search.search_streets(kyiv, q, 10),
            _prefix_queries(kyiv, sampler, 2000),
        ),
        "kyiv resolve street": (lambda s: search.exact_streets(kyiv, s), sampler.sample(raw, 2000)),
    }
    for name, (call, inputs) in rows.items():
        print(f"\n{name}: {_percentiles(call, inputs)}")
