"""The address index snapshot: a loaded copy returns the same results as the saved index."""

import random
from pathlib import Path

import pytest

from benchmarks.synthetic import build_index
from core.addresses import search
from core.addresses.index import AddressIndex
from core.addresses.snapshot import (
    SNAPSHOT_ENV,
    load_snapshot,
    save_snapshot,
    snapshot_header,
    snapshot_path_from_env,
)

URL = "sqlite+aiosqlite:///var/dso.sqlite3"


@pytest.fixture(scope="module")
def original() -> AddressIndex:
    return AddressIndex(regions={"kyiv": build_index(streets=300, buildings=3000)}, version=4)


def _saved(original: AddressIndex, tmp_path: Path) -> Path:
    path = tmp_path / "index.snapshot"
    save_snapshot(path, original, snapshot_header(URL, 4, "2026-01-29T06:00:00+00:00"))
    return path


def test_loaded_index_same_results(original: AddressIndex, tmp_path: Path) -> None:
    path = _saved(original, tmp_path)
    loaded = load_snapshot(path, snapshot_header(URL, 4, "2026-01-29T06:00:00+00:00"))

    assert loaded is not None
    assert loaded.version == 4
    before, after = original.region("kyiv"), loaded.region("kyiv")
    assert len(after.streets) == len(before.streets)
    assert len(after.buildings) == len(before.buildings)

    sampler = random.Random(3)
    for street in sampler.sample(list(before.streets.values()), 40):
        words = street.name.split()
        for prefix in (words[-1][:3], words[-1][:5], street.name[:8]):
            assert search.search_streets(after, prefix, 10) == search.search_streets(
                before, prefix, 10
            ), prefix
    for building in sampler.sample(list(before.buildings.values()), 60):
        text = f"{before.streets[building.street_id].name}, {building.number}"
        expected = search.resolve(before, text)
        assert search.resolve(after, text) == expected, text
        assert expected.status == "found", text


def test_snapshot_shares_queue_tuples(original: AddressIndex, tmp_path: Path) -> None:
    loaded = load_snapshot(
        _saved(original, tmp_path), snapshot_header(URL, 4, "2026-01-29T06:00:00+00:00")
    )

    assert loaded is not None
    distinct = {id(b.queues) for b in loaded.region("kyiv").buildings.values()}
    assert len(distinct) <= 60


def test_snapshot_keeps_buildings_equal(original: AddressIndex, tmp_path: Path) -> None:
    loaded = load_snapshot(
        _saved(original, tmp_path), snapshot_header(URL, 4, "2026-01-29T06:00:00+00:00")
    )

    assert loaded is not None
    before, after = original.region("kyiv"), loaded.region("kyiv")
    assert after.buildings == before.buildings
    assert after.by_street == before.by_street


def test_snapshot_shares_street_ids_and_keys(original: AddressIndex, tmp_path: Path) -> None:
    loaded = load_snapshot(
        _saved(original, tmp_path), snapshot_header(URL, 4, "2026-01-29T06:00:00+00:00")
    )

    assert loaded is not None
    region = loaded.region("kyiv")
    street_ids = {id(b.street_id) for b in region.buildings.values()}
    assert len(street_ids) <= len(region.streets)
    assert all(key is building.id for key, building in region.buildings.items())


@pytest.mark.parametrize(
    ("url", "version", "changed_at"),
    [
        (URL, 5, "2026-01-29T06:00:00+00:00"),
        (URL, 4, "2026-01-30T06:00:00+00:00"),
        ("postgresql+asyncpg://localhost/test", 4, "2026-01-29T06:00:00+00:00"),
    ],
)
def test_snapshot_out_of_date_ignored(
    original: AddressIndex, tmp_path: Path, url: str, version: int, changed_at: str
) -> None:
    path = _saved(original, tmp_path)

    assert load_snapshot(path, snapshot_header(url, version, changed_at)) is None


def test_missing_snapshot_returns_none(tmp_path: Path) -> None:
    header = snapshot_header(URL, 1, "")

    assert load_snapshot(tmp_path / "absent.snapshot", header) is None


def test_snapshot_env_unset_means_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SNAPSHOT_ENV, raising=False)
    assert snapshot_path_from_env() is None

    monkeypatch.setenv(SNAPSHOT_ENV, str(tmp_path / "index.snapshot"))
    assert snapshot_path_from_env() == tmp_path / "index.snapshot"
