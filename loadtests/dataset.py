"""Build a national-scale address registry for the load tests, and the sample addresses they check.

Streets and buildings go straight into the database with SQLAlchemy Core in batches, because the
per-record importer takes hours for a million buildings. Every key is computed with the functions
the importer uses (street name cleaning hook, `street_key`, `token_key`, `street_type`,
`parse_house_number(...).key`), so the app finds these rows as it finds imported ones. Schedules
for today and tomorrow go through the normal import path, from each region's demo sources.

    python -m loadtests.dataset --buildings 1000000 --out var/loadtest/addresses.csv
"""

import argparse
import asyncio
import csv
import datetime as dt
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core import data_versions, migrate
from core.addresses.house_numbers import parse_house_number
from core.addresses.importer import token_key
from core.addresses.index import settlement_key, settlement_kind, settlement_label
from core.addresses.models import Building, Settlement, Street, StreetAlias
from core.addresses.normalize import street_key, street_type
from core.addresses.schemas import SettlementRecord, StreetRecord
from core.addresses.service import read_address_files
from core.db import create_engine, session_factory
from core.errors import DsoError
from core.hookspecs import SourceFile
from core.logs import configure_logging
from core.plugins import PluginRegistry, RegionHooks, build_plugin_manager
from core.regions import ensure_region
from core.schedules.service import SourceUpload, read_uploads
from core.schedules.service import import_schedule as store_schedule
from core.settings import Settings, load_settings
from core.timezone import local_day, now_utc

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COLUMNS = (
    "region",
    "street_id",
    "street",
    "settlement",
    "house",
    "building_id",
    "queues",
    "typed",
    "resolve",
)

# Share of all buildings per region, roughly in proportion to the customers each DSO serves.
# A region missing here gets OTHER_REGION_SHARE before the shares are normalized.
REGION_SHARES = {"kyiv": 0.35, "kyiv_region": 0.2, "dnipro": 0.2, "odesa": 0.15, "donetsk": 0.1}
OTHER_REGION_SHARE = 0.1
# Regions whose addresses go street -> house with no settlement step.
CITY_REGIONS = frozenset({"kyiv"})
# Real street lists read through the region's own plugin; absent files are skipped.
STREET_FILES = {
    "kyiv": "addresses/dtek-kem_streets_list_2026-01-29.json",
    "dnipro": "addresses/dtek-dnem_DisconSchedule.streets_EXCERPT_2024-12.json",
}
SETTLEMENT_FILE = "addresses/katottg_kodifikator_2025-05-16_UA80_UA32_UA51_UA12_UA14.csv"

# Buildings per street as (minimum, maximum): city streets are long, village streets short.
CITY_STREET_SIZE = (20, 300)
SETTLEMENT_STREET_SIZE = {"місто": (15, 200), "селище": (8, 60), "село": (4, 30)}
GENERATED_STREETS_PER_SETTLEMENT = {"місто": 80, "селище": 20, "село": 6}
# Share of buildings fed by two lines: their lookup returns two queues and no single one.
TWO_LINE_SHARE = 0.005
# Share of a street's buildings on the street's own queue; the rest are spread over all queues.
STREET_QUEUE_SHARE = 0.75
BATCH_ROWS = 5000

STREET_TYPES = ("вул.", "вул.", "вул.", "пров.", "просп.", "бул.")
STREET_STEMS = (
    "Шевченка", "Франка Івана", "Лесі Українки", "Сковороди Григорія", "Грушевського",
    "Центральна", "Садова", "Миру", "Незалежності", "Соборна", "Шкільна", "Зелена", "Лісова",
    "Польова", "Молодіжна", "Весняна", "Квіткова", "Вишнева", "Яблунева", "Березова", "Дубова",
    "Липова", "Каштанова", "Джерельна", "Річкова", "Козацька", "Гетьманська", "Героїв України",
    "Захисників", "Калинова", "Сонячна", "Степова", "Травнева", "Паркова", "Заводська",
    "Залізнична", "Вокзальна", "Стуса Василя", "Чорновола В'ячеслава", "Котляревського",
    "Коцюбинського", "Лисенка Миколи", "Сагайдачного", "Хмельницького Богдана", "Мазепи Івана",
    "Виговського", "Орлика Пилипа", "Вербова", "Тополина", "Горіхова", "Озерна", "Ставкова",
    "Мирна", "Тиха", "Світла", "Нова", "Покровська", "Успенська", "Слобідська", "Волонтерська",
)  # fmt: skip
SETTLEMENT_NAMES = (
    "Вишневе", "Зоряне", "Калинівка", "Степове", "Привільне", "Миролюбівка", "Новоселиця",
    "Дібрівка", "Заріччя", "Гайове", "Ясенівка", "Лугове", "Підгірне", "Соснівка",
)  # fmt: skip


@dataclass
class PlannedStreet:
    name: str
    settlement: SettlementRecord | None
    district: str | None = None
    source_name: str | None = None


@dataclass
class RegionPlan:
    region: str
    queues: tuple[str, ...]
    streets: list[PlannedStreet]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.dataset", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--buildings", type=int, default=1_000_000, help="buildings to add over all regions"
    )
    parser.add_argument(
        "--database-url", help="database to fill (default: DSO_DATABASE_URL or config)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / "var" / "loadtest" / "addresses.csv",
        help="CSV file of sample addresses with their expected queues",
    )
    parser.add_argument(
        "--samples", type=int, default=20_000, help="sample addresses to write (about)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed; same seed, same data")
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(os.environ.get("DSO_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")),
        help="folder of the real public data files (missing files are skipped)",
    )
    parser.add_argument("--date", help="first schedule day, YYYY-MM-DD (default: today in Kyiv)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.buildings < 1:
        raise SystemExit("--buildings must be at least 1")
    environ = dict(os.environ)
    if args.database_url:
        environ["DSO_DATABASE_URL"] = args.database_url
    settings = load_settings(environ=environ)
    configure_logging("warning", settings.platform.log_format)
    started = time.perf_counter()
    asyncio.run(build(settings, args))
    print(f"dataset built in {time.perf_counter() - started:.1f} s")
    return 0


async def build(settings: Settings, args: argparse.Namespace) -> None:
    """Migrate, write streets and buildings of every enabled region, import schedules, bump counters."""
    await migrate.upgrade_async(settings.database_url)
    registry = build_plugin_manager(settings)
    engine = create_engine(settings.database_url)
    budgets = split_budget(args.buildings, registry.regions)
    sample_share = min(1.0, args.samples / args.buildings)
    samples: list[dict[str, Any]] = []
    try:
        for region in registry.regions:
            phase = time.perf_counter()
            rng = random.Random(f"{args.seed}-{region}")
            config = settings.regions[region]
            async with session_factory(engine)() as session, session.begin():
                await ensure_region(session, config)
            plan = await plan_region(registry.for_region(region), config.queue_set.ids(), args)
            written, streets = await write_region(engine, plan, budgets[region], rng, sample_share)
            samples.extend(written)
            seconds = time.perf_counter() - phase
            print(f"{region}: {budgets[region]} buildings on {streets} streets in {seconds:.1f} s")

        phase = time.perf_counter()
        await import_schedules(engine, registry, settings, args.date)
        await bump_counters(engine)
        print(f"schedules imported in {time.perf_counter() - phase:.1f} s")
        await mark_resolvable(engine, samples)
    finally:
        await engine.dispose()
    write_samples(args.out, samples)
    print(f"{len(samples)} sample addresses written to {args.out}")


def split_budget(total: int, regions: Sequence[str]) -> dict[str, int]:
    """Split `total` buildings over the regions by their shares; the first region takes the rounding."""
    weights = {region: REGION_SHARES.get(region, OTHER_REGION_SHARE) for region in regions}
    scale = sum(weights.values())
    budgets = {region: int(total * weight / scale) for region, weight in weights.items()}
    budgets[regions[0]] += total - sum(budgets.values())
    return budgets


async def plan_region(
    hooks: RegionHooks, queues: tuple[str, ...], args: argparse.Namespace
) -> RegionPlan:
    """Return the region's candidate streets: real names first, then generated ones."""
    region = hooks.region
    settlements = [] if region in CITY_REGIONS else await read_settlements(hooks, args.shared_data)
    if region not in CITY_REGIONS and not settlements:
        settlements = generated_settlements()
    by_key = {settlement_key(s.name): s for s in settlements}

    real = await read_real_streets(hooks, args.shared_data / STREET_FILES.get(region, "-"))
    rng = random.Random(f"{args.seed}-{region}-plan")
    rng.shuffle(real)
    streets = [_attach_settlement(record, by_key) for record in real]
    if region in CITY_REGIONS:
        streets += [PlannedStreet(name, None) for name in generated_street_names(rng, 10_000)]
    else:
        rng.shuffle(settlements)
        for settlement in settlements:
            count = GENERATED_STREETS_PER_SETTLEMENT.get(settlement.kind, 6)
            names = generated_street_names(rng, count)
            streets += [PlannedStreet(name, settlement) for name in names]
    return RegionPlan(region, queues, streets)


def _attach_settlement(record: StreetRecord, by_key: dict[str, SettlementRecord]) -> PlannedStreet:
    settlement = None
    if record.settlement:
        key = settlement_key(record.settlement)
        settlement = by_key.get(key)
        if settlement is None:
            kind = settlement_kind(record.settlement) or "село"
            settlement = SettlementRecord(name=record.settlement, kind=kind)
            by_key[key] = settlement
    return PlannedStreet(record.name, settlement, record.district, record.source_name)


async def read_settlements(hooks: RegionHooks, shared: Path) -> list[SettlementRecord]:
    """Return the region's settlements of the KATOTTG codifier, read by its plugin."""
    batches = await _read_source(hooks, shared / SETTLEMENT_FILE)
    return [s for batch in batches for s in batch.settlements]


async def read_real_streets(hooks: RegionHooks, path: Path) -> list[StreetRecord]:
    batches = await _read_source(hooks, path)
    return [street for batch in batches for street in batch.streets]


async def _read_source(hooks: RegionHooks, path: Path) -> list[Any]:
    """Read an address file through the region's plugin; an absent or foreign file gives nothing."""
    if not path.is_file():
        return []
    upload = SourceFile("addresses", path.name, path.read_bytes())
    try:
        return await read_address_files(hooks, [upload], {})
    except DsoError as error:
        print(f"{hooks.region}: {path.name} skipped: {type(error).__name__} {error.params}")
        return []


def generated_settlements() -> list[SettlementRecord]:
    return [SettlementRecord(name=name, kind="село") for name in SETTLEMENT_NAMES]


def generated_street_names(rng: random.Random, count: int) -> list[str]:
    """Return `count` distinct street names: type and stem pairs, then numbered lines."""
    pairs = [f"{kind} {stem}" for kind in dict.fromkeys(STREET_TYPES) for stem in STREET_STEMS]
    rng.shuffle(pairs)
    names = pairs[:count]
    names += [f"Лінія {number}" for number in range(1, count - len(names) + 1)]
    return names


def house_numbers(count: int, rng: random.Random) -> Iterator[str]:
    """Yield `count` distinct house numbers as DSOs write them: 12, 12А, 12/4, 12 корп. 2."""
    number = 0
    produced = 0
    while produced < count:
        number += rng.choice((1, 1, 2))
        written = [str(number)]
        extra = rng.random()
        if extra < 0.08:
            written.append(f"{number}{rng.choice('АБВ')}")
        elif extra < 0.12:
            written.append(f"{number}/{rng.randint(1, 20)}")
        elif extra < 0.14:
            written.append(f"{number} корп. {rng.randint(1, 4)}")
        for text in written[: count - produced]:
            produced += 1
            yield text


async def write_region(
    engine: AsyncEngine, plan: RegionPlan, budget: int, rng: random.Random, sample_share: float
) -> tuple[list[dict[str, Any]], int]:
    """Insert streets and buildings until `budget` buildings are written.

    Returns the sampled addresses and the number of streets written.
    """
    candidates = await _new_streets(engine, plan)
    samples: list[dict[str, Any]] = []
    remaining = budget
    position = 0
    while remaining > 0 and position < len(candidates):
        chunk: list[tuple[PlannedStreet, int]] = []
        while remaining > 0 and position < len(candidates) and len(chunk) < 1000:
            street = candidates[position]
            size = min(remaining, rng.randint(*_street_size(street)))
            chunk.append((street, size))
            remaining -= size
            position += 1
        samples += await _insert_chunk(engine, plan, chunk, rng, sample_share)
    if remaining > 0:
        print(f"{plan.region}: ran out of street names, {remaining} buildings not written")
    return samples, position


def _street_size(street: PlannedStreet) -> tuple[int, int]:
    if street.settlement is None:
        return CITY_STREET_SIZE
    return SETTLEMENT_STREET_SIZE.get(street.settlement.kind, SETTLEMENT_STREET_SIZE["місто"])


async def _new_streets(engine: AsyncEngine, plan: RegionPlan) -> list[PlannedStreet]:
    """Drop planned streets that the registry (or the plan itself) already has under one identity."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Settlement.key, Street.street_type, Street.token_key, Street.district)
            .select_from(Street)
            .outerjoin(Settlement, Street.settlement_id == Settlement.id)
            .where(Street.region == plan.region)
        )
        seen: set[tuple[str | None, ...]] = {tuple(row) for row in rows.all()}
    new_streets = []
    for street in plan.streets:
        identity = (
            settlement_key(street.settlement.name) if street.settlement else None,
            street_type(street.name),
            token_key(street.name),
            street.district,
        )
        if identity not in seen and identity[2]:
            seen.add(identity)
            new_streets.append(street)
    return new_streets


async def _insert_chunk(
    engine: AsyncEngine,
    plan: RegionPlan,
    chunk: list[tuple[PlannedStreet, int]],
    rng: random.Random,
    sample_share: float,
) -> list[dict[str, Any]]:
    async with engine.begin() as connection:
        settlement_ids = await _settlement_ids(connection, plan.region, chunk)
        street_rows = [_street_row(plan.region, street, settlement_ids) for street, _ in chunk]
        street_ids = await _insert_returning_ids(connection, Street, street_rows)

        buildings, planned = [], []
        for (street, size), street_id in zip(chunk, street_ids, strict=True):
            street_queue = rng.randrange(len(plan.queues))
            for number in house_numbers(size, rng):
                queues = _building_queues(plan.queues, street_queue, rng)
                buildings.append(_building_row(street_id, number, queues))
                planned.append((street, street_id, number, queues))
        building_ids = await _insert_returning_ids(connection, Building, buildings)

    return [
        _sample(plan.region, street, street_id, number, queues, building_id)
        for (street, street_id, number, queues), building_id in zip(
            planned, building_ids, strict=True
        )
        if rng.random() < sample_share
    ]


async def _settlement_ids(
    connection: Any, region: str, chunk: list[tuple[PlannedStreet, int]]
) -> dict[str, int]:
    """Return ids of the chunk's settlements by key, inserting those the registry lacks."""
    requested = {settlement_key(s.settlement.name): s.settlement for s, _ in chunk if s.settlement}
    if not requested:
        return {}
    rows = await connection.execute(
        select(Settlement.key, Settlement.id).where(
            Settlement.region == region, Settlement.key.in_(list(requested))
        )
    )
    ids = {key: settlement_id for key, settlement_id in rows.all()}
    missing = [key for key in requested if key not in ids]
    new_rows = [
        {
            "region": region,
            "name": requested[key].name,
            "key": key,
            "kind": requested[key].kind,
            "katottg": None,
            "hromada": requested[key].hromada,
            "district": requested[key].district,
        }
        for key in missing
    ]
    ids.update(
        zip(missing, await _insert_returning_ids(connection, Settlement, new_rows), strict=True)
    )
    return ids


async def _insert_returning_ids(
    connection: Any, model: Any, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert rows in batches and return their new ids in row order."""
    ids: list[int] = []
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), BATCH_ROWS):
        result = await connection.execute(statement, rows[start : start + BATCH_ROWS])
        ids.extend(row[0] for row in result.all())
    return ids


def _street_row(
    region: str, street: PlannedStreet, settlement_ids: dict[str, int]
) -> dict[str, Any]:
    settlement_id = (
        settlement_ids[settlement_key(street.settlement.name)] if street.settlement else None
    )
    return {
        "region": region,
        "settlement_id": settlement_id,
        "name": street.name,
        "key": street_key(street.name),
        "token_key": token_key(street.name),
        "street_type": street_type(street.name),
        "district": street.district,
        "source_name": street.source_name,
    }


def _building_queues(queues: tuple[str, ...], street_queue: int, rng: random.Random) -> list[str]:
    draw = rng.random()
    if draw < TWO_LINE_SHARE and len(queues) > 1:
        other = (street_queue + 1 + rng.randrange(len(queues) - 1)) % len(queues)
        return [queues[street_queue], queues[other]]
    if draw < STREET_QUEUE_SHARE:
        return [queues[street_queue]]
    return [rng.choice(queues)]


def _building_row(street_id: int, number: str, queues: list[str]) -> dict[str, Any]:
    parsed = parse_house_number(number)
    return {
        "street_id": street_id,
        "number": number,
        "number_key": parsed.key,
        "queues": queues,
        "house_number": parsed.number,
        "house_letter": parsed.letter,
        "house_fraction": parsed.fraction,
        "house_block": parsed.block,
    }


def _sample(
    region: str,
    street: PlannedStreet,
    street_id: int,
    number: str,
    queues: list[str],
    building_id: int,
) -> dict[str, Any]:
    settlement = (
        settlement_label(street.settlement.name, street.settlement.kind)
        if street.settlement
        else ""
    )
    return {
        "region": region,
        "street_id": street_id,
        "street": street.name,
        "settlement": settlement,
        "house": number,
        "building_id": building_id,
        "queues": "+".join(queues),
        "typed": typed_text(street.name),
        "resolve": "",
    }


def typed_text(name: str) -> str:
    """Return what a person types to find the street: its name without the type word."""
    words = name.split()
    if len(words) > 1 and (words[0].endswith(".") or street_type(words[0]) is not None):
        words = words[1:]
    return " ".join(words)


async def mark_resolvable(engine: AsyncEngine, samples: list[dict[str, Any]]) -> None:
    """Give a sample free text to resolve when its street key is unique in its settlement.

    A name shared by two streets of one settlement (Kyiv districts) rightly resolves to
    candidates, and a name with digits may be read as a house number, so those get no text.
    """
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Street.region, Settlement.key, Street.key)
            .select_from(Street)
            .outerjoin(Settlement, Street.settlement_id == Settlement.id)
        )
        counts: Counter[tuple[str | None, ...]] = Counter(tuple(row) for row in rows.all())
        aliases = await connection.execute(
            select(Street.region, Settlement.key, StreetAlias.key)
            .select_from(StreetAlias)
            .join(Street, StreetAlias.street_id == Street.id)
            .outerjoin(Settlement, Street.settlement_id == Settlement.id)
        )
        counts.update(tuple(row) for row in aliases.all())
    for sample in samples:
        place = settlement_key(sample["settlement"]) if sample["settlement"] else None
        unique = counts[(sample["region"], place, street_key(sample["street"]))] == 1
        if unique and not any(ch.isdigit() for ch in sample["street"]):
            parts = [sample["settlement"], sample["street"], sample["house"]]
            sample["resolve"] = ", ".join(part for part in parts if part)


async def import_schedules(
    engine: AsyncEngine, registry: PluginRegistry, settings: Settings, date: str | None
) -> None:
    """Import today's and tomorrow's demo schedules of every region through the normal path."""
    today = dt.date.fromisoformat(date) if date else local_day(now_utc())
    for region in registry.regions:
        hooks = registry.for_region(region)
        config = settings.regions[region]
        files = await hooks.call("dso_demo_sources", today=today, queues=config.queue_set.ids())
        flat = [f for group in files for f in (group if isinstance(group, list) else [group])]
        uploads = [SourceUpload(f.filename, f.content) for f in flat if f.kind == "schedule"]
        parsed = await read_uploads(hooks, config, uploads)
        async with session_factory(engine)() as session, session.begin():
            await store_schedule(session, config, parsed)


async def bump_counters(engine: AsyncEngine) -> None:
    """Tell running workers to rebuild their indexes from the new rows."""
    async with session_factory(engine)() as session, session.begin():
        await data_versions.bump(session, data_versions.ADDRESSES)
        await data_versions.bump(session, data_versions.SCHEDULES)


def write_samples(path: Path, samples: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SAMPLE_COLUMNS)
        writer.writeheader()
        writer.writerows(samples)


if __name__ == "__main__":
    raise SystemExit(main())
