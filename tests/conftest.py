"""Fixtures shared by the whole suite."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("DSO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def shared_file(relative: str) -> Path:
    """Return a file of the real public data set, or skip the test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {relative} is not present beside this checkout")
    return path
