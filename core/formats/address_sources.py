"""Dispatch address source files to their readers, for plugins that read DTEK and YASNO addresses.

A DTEK house list (`getHomeNum`) does not name its street, so the street comes from `context`.
The YASNO street -> house -> group chain arrives as three files that are read together; their
ids come from `context` (`street_id`, `house_id`) or from the capture file names.
"""

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import msgspec

from core.addresses.schemas import AddressBatch, OtherOperator
from core.errors import SourceFormatError
from core.formats.dtek_addresses import (
    detect_address_format,
    read_dtek_house_queues,
    read_dtek_regional_streets,
    read_dtek_street_list,
    read_dtek_streets_from_page,
)
from core.formats.katottg import detect_katottg, read_katottg
from core.formats.kyiv_registry import detect_kyiv_registry, read_kyiv_registry
from core.formats.street_renames import detect_street_renames, read_street_renames
from core.formats.yasno_addresses import ids_from_filename, read_yasno_address_chain
from core.hookspecs import SourceFile

YASNO_CHAIN = ("yasno-streets", "yasno-houses", "yasno-group")


class RegionAddressRules(msgspec.Struct, frozen=True):
    """What a region's address files leave unsaid.

    `katottg_prefixes` are the codifier codes of its settlements, `renames_settlement` the city
    its renames list is about, and `yasno_operators` maps a YASNO DSO id to the operator that
    serves the houses YASNO lists under it (None for the region's own DSO).
    """

    katottg_prefixes: tuple[str, ...] = ()
    renames_settlement: str | None = None
    yasno_operators: dict[int, OtherOperator | None] = {}


NO_RULES = RegionAddressRules()


def read_address_uploads(
    uploads: Sequence[SourceFile],
    context: Mapping[str, str],
    *,
    formats: Collection[str],
    rules: RegionAddressRules = NO_RULES,
) -> list[AddressBatch] | None:
    """Read every upload whose format is in `formats`; return None when none of them is."""
    detected = [(upload, _detect(upload)) for upload in uploads]
    for upload, kind in detected:
        if kind is None:
            _reject_malformed_json(upload)
    if not any(kind in formats for _upload, kind in detected):
        return None
    for upload, kind in detected:
        if kind not in formats:
            raise SourceFormatError(
                file=upload.filename, place="-", reason="not an address format of this region"
            )

    batches = [
        _read_one(upload, kind, context, rules)
        for upload, kind in detected
        if kind not in YASNO_CHAIN
    ]
    chain = {kind: upload for upload, kind in detected if kind in YASNO_CHAIN}
    if chain:
        batches.append(_read_yasno_chain(chain, context, rules))
    return batches


def _reject_malformed_json(upload: SourceFile) -> None:
    """Raise for a file that starts like JSON but does not parse: it is malformed, not foreign."""
    if upload.content.lstrip()[:1] in (b"{", b"["):
        _json(upload)


def _detect(upload: SourceFile) -> str | None:
    if detect_katottg(upload.content):
        return "katottg"
    kind = detect_address_format(upload.content, upload.filename)
    if kind is not None or upload.content.lstrip()[:1] not in (b"{", b"["):
        return kind
    try:
        document = json.loads(upload.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if detect_kyiv_registry(document):
        return "kyiv-street-registry"
    if detect_street_renames(document):
        return "street-renames"
    return None


def _read_registry(
    upload: SourceFile, kind: str | None, rules: RegionAddressRules
) -> AddressBatch | None:
    """Read the state codifier, the Kyiv street registry or a renames list; None for other kinds."""
    name = upload.filename
    if kind == "katottg":
        text = upload.content.decode("utf-8-sig", errors="replace")
        return read_katottg(text, file=name, region_prefixes=rules.katottg_prefixes or None)
    if kind == "kyiv-street-registry":
        return read_kyiv_registry(_json(upload), file=name)
    if kind == "street-renames":
        if not rules.renames_settlement:
            raise SourceFormatError(
                file=name, place="-", reason="this region has no city whose renames it reads"
            )
        return read_street_renames(_json(upload), file=name, settlement=rules.renames_settlement)
    return None


def _read_one(
    upload: SourceFile, kind: str | None, context: Mapping[str, str], rules: RegionAddressRules
) -> AddressBatch:
    registry = _read_registry(upload, kind, rules)
    if registry is not None:
        return registry
    name = upload.filename
    if kind == "dtek-page-streets":
        return read_dtek_streets_from_page(
            upload.content.decode("utf-8", errors="replace"), file=name
        )
    document = _json(upload)
    if kind == "dtek-street-list":
        return read_dtek_street_list(document, file=name)
    if kind == "dtek-regional-streets":
        return read_dtek_regional_streets(document, file=name)

    street = context.get("street") or upload.context.get("street")
    if not street:
        raise SourceFormatError(
            file=name,
            place="-",
            reason="a DTEK house list does not name its street; give the street (--street)",
        )
    batch = read_dtek_house_queues(document, file=name, street=street)
    settlement = context.get("settlement") or upload.context.get("settlement")
    if settlement:
        streets = tuple(msgspec.structs.replace(s, settlement=settlement) for s in batch.streets)
        batch = msgspec.structs.replace(batch, streets=streets)
    return batch


def _read_yasno_chain(
    chain: dict[str, SourceFile], context: Mapping[str, str], rules: RegionAddressRules
) -> AddressBatch:
    missing = [kind for kind in YASNO_CHAIN if kind not in chain]
    if missing:
        names = ", ".join(u.filename for u in chain.values())
        raise SourceFormatError(
            file=names,
            place="-",
            reason=f"the YASNO address chain also needs: {', '.join(missing)}",
        )

    ids = {
        **ids_from_filename(chain["yasno-houses"].filename),
        **ids_from_filename(chain["yasno-group"].filename),
    }
    street_id = _id(
        context.get("street_id"), ids.get("street"), chain["yasno-houses"].filename, "street"
    )
    house_id = _id(
        context.get("house_id"), ids.get("house"), chain["yasno-group"].filename, "house"
    )
    batch = read_yasno_address_chain(
        _json(chain["yasno-streets"]),
        _json(chain["yasno-houses"]),
        _json(chain["yasno-group"]),
        street_id=street_id,
        house_id=house_id,
        file=chain["yasno-group"].filename,
    )
    dso = context.get("dso_id") or ids.get("dso")
    operator = rules.yasno_operators.get(int(dso)) if dso else None
    return _served_by(batch, operator) if operator else batch


def _served_by(batch: AddressBatch, operator: OtherOperator) -> AddressBatch:
    """Mark every building of a batch as served by another operator, whose groups are not our queues."""
    streets = tuple(
        msgspec.structs.replace(
            street,
            buildings=tuple(
                msgspec.structs.replace(
                    b, queues=(), other_operator=operator.name, operator=operator
                )
                for b in street.buildings
            ),
        )
        for street in batch.streets
    )
    return msgspec.structs.replace(batch, streets=streets)


def _id(given: str | None, from_name: int | None, file: str, what: str) -> int:
    if given:
        try:
            return int(given)
        except ValueError as error:
            raise SourceFormatError(
                file=file, place=f"{what}_id", reason=f"'{given}' is not a whole number"
            ) from error
    if from_name is None:
        raise SourceFormatError(
            file=file, place="-", reason=f"the YASNO {what} id is not known; give it (--{what}-id)"
        )
    return from_name


def _json(upload: SourceFile) -> Any:
    try:
        return json.loads(upload.content)
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceFormatError(
            file=upload.filename, place=getattr(error, "pos", "-"), reason="not valid JSON"
        ) from error
