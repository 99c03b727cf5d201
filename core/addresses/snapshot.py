"""A file copy of the built address index, so a restarted worker serves in seconds.

Building the index reads every street and building from the database and takes about a minute
per 1,000,000 buildings. Loading a pickled copy of the same objects takes a few seconds. The
file starts with one JSON header line that names the data it was built from: a hash of the
database URL, the address change counter and the time that counter last moved, and a
fingerprint of the index classes. `load_snapshot` returns None unless all of them match, so a
rebuilt database or a changed index layout never serves an old copy.

The payload is a pickle, so the file must be writable only by the account that runs the
service: loading a pickle runs whatever the file tells it to.

The feature is off unless the environment variable `DSO_INDEX_SNAPSHOT` names the file.
"""

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import msgspec
import structlog

from core.addresses.index import AddressIndex, BuildingEntry, RegionIndex, StreetEntry

log = structlog.get_logger(__name__)

SNAPSHOT_ENV = "DSO_INDEX_SNAPSHOT"
# Bump when the meaning of stored fields changes without a change of their names.
SNAPSHOT_FORMAT = 3


class SnapshotHeader(msgspec.Struct, frozen=True):
    """What a snapshot was built from; a snapshot is used only when every field matches."""

    database: str
    """BLAKE2b hash of the database URL, so the file never contains a password."""
    address_version: int
    """The address change counter the index was built at."""
    address_changed_at: str
    """When that counter last moved, ISO 8601; tells a rebuilt database from the old one."""
    layout: str
    """Fingerprint of the snapshot format, the Python version and the index class fields."""


def snapshot_path_from_env() -> Path | None:
    """Return the snapshot file that `DSO_INDEX_SNAPSHOT` names, or None when it is unset or empty."""
    value = os.environ.get(SNAPSHOT_ENV, "").strip()
    return Path(value) if value else None


def snapshot_header(database_url: str, version: int, changed_at: str) -> SnapshotHeader:
    return SnapshotHeader(
        database=hashlib.blake2b(database_url.encode(), digest_size=12).hexdigest(),
        address_version=version,
        address_changed_at=changed_at,
        layout=_layout_fingerprint(),
    )


def save_snapshot(path: Path, index: AddressIndex, header: SnapshotHeader) -> float:
    """Write `index` to `path` atomically and return the seconds it took.

    The file is written under a temporary name in the same folder and then renamed, so two
    workers that write at once, or a reader that opens the file meanwhile, never see half a file.
    """
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(msgspec.json.encode(header) + b"\n")
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return time.perf_counter() - started


def load_snapshot(path: Path, expected: SnapshotHeader) -> AddressIndex | None:
    """Load the index stored at `path`, or return None when the file is missing or out of date.

    Raises OSError when the file cannot be read, and pickle or msgspec errors when it is damaged.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        try:
            header = msgspec.json.decode(handle.readline(), type=SnapshotHeader)
        except msgspec.DecodeError as error:
            log.warning("index.snapshot_header_invalid", path=str(path), detail=str(error)[:200])
            return None
        if header != expected:
            log.info(
                "index.snapshot_out_of_date",
                path=str(path),
                stored_version=header.address_version,
                expected_version=expected.address_version,
            )
            return None
        # Collection passes while millions of new objects appear only slow the load down:
        # none of them can be garbage yet.
        collecting = gc.isenabled()
        gc.disable()
        try:
            index = pickle.load(handle)
        finally:
            if collecting:
                gc.enable()
    if not isinstance(index, AddressIndex):
        raise TypeError(f"{path} contains {type(index).__name__}, expected AddressIndex")
    return index


def _layout_fingerprint() -> str:
    """Return a hash of what decides whether an old pickle still fits the current classes."""
    parts = [
        str(SNAPSHOT_FORMAT),
        f"{sys.version_info.major}.{sys.version_info.minor}",
        ",".join(StreetEntry.__struct_fields__),
        ",".join(BuildingEntry.__struct_fields__),
        ",".join(AddressIndex.__struct_fields__),
        ",".join(sorted(vars(RegionIndex()))),
    ]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()
