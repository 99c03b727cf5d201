"""Address records as a region's address sources describe them, before they are stored."""

import msgspec


class BuildingRecord(msgspec.Struct, frozen=True):
    """One building of a street: its number as the source wrote it and the queues that feed it.

    A building with several queues is fed by more than one line and has no single queue.
    `other_operator` names the operator that serves the building when it is not this DSO.
    """

    number: str
    queues: tuple[str, ...] = ()
    other_operator: str | None = None


class StreetRecord(msgspec.Struct, frozen=True):
    """One street as the source wrote it, with the buildings the source listed for it."""

    name: str
    settlement: str | None = None
    district: str | None = None
    buildings: tuple[BuildingRecord, ...] = ()


class AddressBatch(msgspec.Struct, frozen=True):
    """Everything one address source file described. `source` names the format it was read from."""

    source: str
    streets: tuple[StreetRecord, ...] = ()
