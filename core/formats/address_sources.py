"""Dispatch address source files to their readers, for plugins that read DTEK and YASNO addresses.

A DTEK house list (`getHomeNum`) does not name its street, so the street comes from `context`.
The YASNO street -> house -> group chain arrives as three files that are read together; their
ids come from `context` (`street_id`, `house_id`) or from the capture file names.
"""

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import msgspec

from core.addresses.schemas import AddressBatch
from core.errors import SourceFormatError
from core.formats.dtek_addresses import (
    detect_address_format,
    read_dtek_house_queues,
    read_dtek_regional_streets,
    read_dtek_street_list,
    read_dtek_streets_from_page,
)
from core.formats.yasno_addresses import ids_from_filename, read_yasno_address_chain
from core.hookspecs import SourceFile

YASNO_CHAIN = ("yasno-streets", "yasno-houses", "yasno-group")


def read_address_uploads(
    uploads: Sequence[SourceFile], context: Mapping[str, str], *, formats: Collection[str]
) -> list[AddressBatch] | None:
    """Read every upload whose format is in `formats`; return None when none of them is."""
    detected = [
        (upload, detect_address_format(upload.content, upload.filename)) for upload in uploads
    ]
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
        _read_one(upload, kind, context) for upload, kind in detected if kind not in YASNO_CHAIN
    ]
    chain = {kind: upload for upload, kind in detected if kind in YASNO_CHAIN}
    if chain:
        batches.append(_read_yasno_chain(chain, context))
    return batches


def _reject_malformed_json(upload: SourceFile) -> None:
    """Raise for a file that starts like JSON but does not parse: it is malformed, not foreign."""
    if upload.content.lstrip()[:1] in (b"{", b"["):
        _json(upload)


def _read_one(upload: SourceFile, kind: str | None, context: Mapping[str, str]) -> AddressBatch:
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


def _read_yasno_chain(chain: dict[str, SourceFile], context: Mapping[str, str]) -> AddressBatch:
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
    return read_yasno_address_chain(
        _json(chain["yasno-streets"]),
        _json(chain["yasno-houses"]),
        _json(chain["yasno-group"]),
        street_id=street_id,
        house_id=house_id,
        file=chain["yasno-group"].filename,
    )


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
