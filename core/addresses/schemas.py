"""Address records as a region's address sources describe them, before they are stored."""

import datetime as dt

import msgspec


class NetworkNodes(msgspec.Struct, frozen=True):
    """Grid elements that feed a building, for grouping "no power" reports; any may be unknown."""

    substation: str | None = None
    feeder: str | None = None
    transformer_substation: str | None = None


class OtherOperator(msgspec.Struct, frozen=True):
    """The operator that serves a building when this DSO does not, with its contacts."""

    name: str
    phone: str = ""
    website: str = ""


class BuildingRecord(msgspec.Struct, frozen=True):
    """One building of a street: its number as the source wrote it and the queues that feed it.

    A building with several queues is fed by more than one line and has no single queue.
    `other_operator` names the operator that serves the building when it is not this DSO.
    """

    number: str
    queues: tuple[str, ...] = ()
    other_operator: str | None = None
    operator: OtherOperator | None = None
    nodes: NetworkNodes | None = None


class StreetAlias(msgspec.Struct, frozen=True):
    """Another name of a street: a former name with the dates it was valid, or another spelling."""

    name: str
    former: bool = False
    """True for a name the street no longer has, shown to customers as "(колишня назва: ...)"."""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class StreetRecord(msgspec.Struct, frozen=True):
    """One street as the source wrote it, with the buildings the source listed for it.

    `source_name` keeps the exact string of the source where the stored name was cleaned, since
    some source APIs must be asked with their own spelling.
    """

    name: str
    settlement: str | None = None
    district: str | None = None
    buildings: tuple[BuildingRecord, ...] = ()
    aliases: tuple[StreetAlias, ...] = ()
    source_name: str | None = None


class SettlementRecord(msgspec.Struct, frozen=True):
    """A settlement of the state codifier (KATOTTG): code, category, name, hromada and raion."""

    name: str
    kind: str
    katottg: str | None = None
    hromada: str | None = None
    district: str | None = None
    city_districts: tuple[str, ...] = ()


class RenameRecord(msgspec.Struct, frozen=True):
    """A street renaming: `old_name` became `new_name` in `settlement` (and city district, if given)."""

    old_name: str
    new_name: str
    settlement: str | None = None
    district: str | None = None
    renamed_on: dt.date | None = None


class AddressBatch(msgspec.Struct, frozen=True):
    """Everything one address source file described. `source` names the format it was read from."""

    source: str
    streets: tuple[StreetRecord, ...] = ()
    settlements: tuple[SettlementRecord, ...] = ()
    renames: tuple[RenameRecord, ...] = ()
