"""Store address batches: settlements, streets with their aliases, buildings, renames.

The writer loads the region's registry once and matches records in memory, so a registry of
thousands of streets imports in one pass. A street is identified by its settlement, type,
district and the sorted words of its key, so "вул. Здановської Юлії" from DTEK and "Юлії
Здановської" from the city registry become one street, and two spellings become aliases.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import data_versions
from core.addresses.house_numbers import parse_house_number
from core.addresses.index import settlement_key, settlement_kind
from core.addresses.models import Building, Settlement, Street, StreetAlias
from core.addresses.normalize import street_key, street_token_set, street_type
from core.addresses.schemas import (
    AddressBatch,
    BuildingRecord,
    RenameRecord,
    SettlementRecord,
    StreetRecord,
)
from core.addresses.schemas import (
    StreetAlias as AliasRecord,
)
from core.errors import SourceFormatError
from core.formats.street_renames import rename_key, resolve_rename_chains
from core.plugins import RegionHooks
from core.regions import ensure_region
from core.settings import RegionSettings

log = structlog.get_logger(__name__)

StreetIdentity = tuple[int | None, str | None, str]


class AddressImportReport(msgspec.Struct, frozen=True):
    region: str
    source: str
    settlements_added: int = 0
    streets_added: int = 0
    streets_matched: int = 0
    aliases_added: int = 0
    buildings_added: int = 0
    buildings_updated: int = 0


def token_key(text: str) -> str:
    return " ".join(sorted(street_token_set(text)))


class RegistryWriter:
    """Upserts one region's address records inside the caller's transaction."""

    def __init__(self, session: AsyncSession, hooks: RegionHooks, region: str) -> None:
        self.session = session
        self.hooks = hooks
        self.region = region
        self.counts: dict[str, int] = defaultdict(int)
        self._settlements: dict[str, list[Settlement]] = defaultdict(list)
        self._by_code: dict[str, Settlement] = {}
        self._streets: dict[StreetIdentity, list[Street]] = defaultdict(list)
        self._aliases: set[tuple[int, str]] = set()

    async def load(self) -> None:
        settlements = await self.session.scalars(
            select(Settlement).where(Settlement.region == self.region)
        )
        for settlement in settlements:
            self._settlements[settlement.key].append(settlement)
            if settlement.katottg:
                self._by_code[settlement.katottg] = settlement
        for street in await self.session.scalars(
            select(Street).where(Street.region == self.region)
        ):
            self._streets[(street.settlement_id, street.street_type, street.token_key)].append(
                street
            )
        aliases = await self.session.execute(
            select(StreetAlias.street_id, StreetAlias.key)
            .join(Street)
            .where(Street.region == self.region)
        )
        self._aliases = {(street_id, key) for street_id, key in aliases.all()}

    async def write(self, batch: AddressBatch) -> AddressImportReport:
        for settlement in batch.settlements:
            await self._upsert_settlement(settlement)
        for record in batch.streets:
            await self._write_street(record)
        await self._apply_renames(batch.renames)
        await self.session.flush()
        return AddressImportReport(region=self.region, source=batch.source, **self.counts)

    async def _upsert_settlement(self, record: SettlementRecord) -> Settlement:
        """Match a codifier settlement by its code; a settlement without a code by its name."""
        found = (
            self._by_code.get(record.katottg)
            if record.katottg
            else self._by_name(record.name, record.kind)
        )
        if found is None:
            found = self._create_settlement(record.name)
        found.kind = record.kind or found.kind
        found.katottg = record.katottg or found.katottg
        found.hromada = record.hromada or found.hromada
        found.district = record.district or found.district
        await self.session.flush()
        if found.katottg:
            self._by_code[found.katottg] = found
        return found

    def _create_settlement(self, name: str) -> Settlement:
        created = Settlement(region=self.region, name=name, key=settlement_key(name))
        self.session.add(created)
        self._settlements[created.key].append(created)
        self.counts["settlements_added"] += 1
        return created

    def _by_name(self, name: str, kind: str | None) -> Settlement | None:
        """Return the settlement of that name (and kind, where several share the name).

        When several settlements of the codifier share the name, a source that gives only the
        name cannot say which one it means. Its streets then go to one settlement without a code,
        created once, rather than to a guess.
        """
        same_name = self._settlements.get(settlement_key(name), [])
        if len(same_name) > 1 and kind:
            same_name = [s for s in same_name if s.kind == kind] or same_name
        if len(same_name) <= 1:
            return same_name[0] if same_name else None
        uncoded = [s for s in same_name if not s.katottg]
        if uncoded:
            return uncoded[0]
        log.warning(
            "addresses.settlement_ambiguous",
            region=self.region,
            settlement=name,
            count=len(same_name),
        )
        return None

    async def _settlement_id(self, name: str | None) -> int | None:
        if not name:
            return None
        found = self._by_name(name, settlement_kind(name))
        if found is None:
            found = await self._upsert_settlement(
                SettlementRecord(name=name, kind=settlement_kind(name) or "")
            )
        return found.id

    async def _write_street(self, record: StreetRecord) -> Street:
        street = await self._upsert_street(record)
        for alias in record.aliases:
            await self._add_alias(street, alias)
        for building in record.buildings:
            await self._upsert_building(street, building)
        return street

    async def _upsert_street(self, record: StreetRecord) -> Street:
        name = await self.hooks.call("dso_clean_street_name", name=record.name)
        settlement_id = await self._settlement_id(record.settlement)
        identity = (settlement_id, street_type(name), token_key(name))
        found = _pick_by_district(self._streets[identity], record.district)
        if found is not None:
            self.counts["streets_matched"] += 1
            found.district = found.district or record.district
            if name != found.name:
                await self._add_alias(found, AliasRecord(name))
            return found

        street = Street(
            region=self.region,
            settlement_id=settlement_id,
            name=name,
            key=street_key(name),
            token_key=identity[2],
            street_type=identity[1],
            district=record.district,
            source_name=record.source_name,
        )
        self.session.add(street)
        await self.session.flush()
        self._streets[identity].append(street)
        self.counts["streets_added"] += 1
        return street

    async def _add_alias(self, street: Street, alias: AliasRecord) -> None:
        key = street_key(alias.name)
        if not key or key == street.key or (street.id, key) in self._aliases:
            return
        self.session.add(
            StreetAlias(
                street_id=street.id,
                name=alias.name,
                key=key,
                kind="former" if alias.former else "spelling",
                valid_from=alias.valid_from,
                valid_until=alias.valid_until,
            )
        )
        self._aliases.add((street.id, key))
        self.counts["aliases_added"] += 1

    async def _upsert_building(self, street: Street, record: BuildingRecord) -> None:
        try:
            number = parse_house_number(record.number)
        except ValueError as error:
            raise SourceFormatError(
                file=street.name, place=f"house {record.number!r}", reason=str(error)
            ) from error
        found = await self.session.scalar(
            select(Building).where(
                Building.street_id == street.id, Building.number_key == number.key
            )
        )
        if found is None:
            found = Building(street_id=street.id, number=record.number, number_key=number.key)
            self.session.add(found)
            self.counts["buildings_added"] += 1
        else:
            self.counts["buildings_updated"] += 1
        _fill_building(found, record)
        found.house_number, found.house_letter = number.number, number.letter
        found.house_fraction, found.house_block = number.fraction, number.block

    async def _apply_renames(self, renames: Sequence[RenameRecord]) -> None:
        """Give each street its former names, following chains: A -> B, then B -> C, so A finds C.

        The street is created under its current name when the registry does not have it yet.
        """
        current = resolve_rename_chains(renames)
        for rename in renames:
            final = current.get(rename_key(rename.old_name, rename.district), rename.new_name)
            street = await self._write_street(
                StreetRecord(name=final, settlement=rename.settlement, district=rename.district)
            )
            for former in {rename.old_name, rename.new_name} - {final}:
                await self._add_alias(
                    street, AliasRecord(former, former=True, valid_until=rename.renamed_on)
                )


def _pick_by_district(streets: Iterable[Street], district: str | None) -> Street | None:
    """Match on district where both sides name one; a street without a district matches a lone candidate."""
    candidates = list(streets)
    exact = [s for s in candidates if s.district == district]
    if exact:
        return exact[0]
    if district is None and len(candidates) == 1:
        return candidates[0]
    undistricted = [s for s in candidates if s.district is None]
    return undistricted[0] if district is not None and len(undistricted) == 1 else None


def _fill_building(building: Building, record: BuildingRecord) -> None:
    building.queues = list(record.queues)
    operator = record.operator
    building.other_operator = operator.name if operator else record.other_operator
    building.other_operator_phone = operator.phone if operator else None
    building.other_operator_website = operator.website if operator else None
    if record.nodes is not None:
        building.substation = record.nodes.substation
        building.feeder = record.nodes.feeder
        building.transformer_substation = record.nodes.transformer_substation


async def import_addresses(
    session: AsyncSession, hooks: RegionHooks, config: RegionSettings, batch: AddressBatch
) -> AddressImportReport:
    """Store `batch` in the caller's transaction and mark the registry changed for every worker."""
    await ensure_region(session, config)
    writer = RegistryWriter(session, hooks, config.code)
    await writer.load()
    report = await writer.write(batch)
    await data_versions.bump(session, data_versions.ADDRESSES)
    log.info("addresses.imported", **msgspec.structs.asdict(report))
    return report
