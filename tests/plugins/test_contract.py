"""The contract every enabled region plugin passes, run once per region of config/.

A new region is included by adding its config file: the regions come from `load_settings()`,
so `DSO_CONFIG_DIR` and `DSO_REGION_<CODE>_ENABLED` choose which plugins are checked.
"""

import datetime as dt

import pytest

from core.demo import demo_sources
from core.errors import SourceFormatError
from core.formats.schedule_sources import FORMATS
from core.hookspecs import RegionInfo, SourceFile
from core.plugins import PluginRegistry, RegionHooks, build_plugin_manager
from core.schedules.model import DayStatus
from core.settings import Settings, load_settings
from tests.conftest import shared_file

SETTINGS: Settings = load_settings()
REGIONS = SETTINGS.enabled_regions()

# An ordinary winter day, and the eves of the 23-hour and 25-hour days of 2025.
DEMO_DAYS = [dt.date(2026, 1, 29), dt.date(2025, 3, 29), dt.date(2025, 10, 25)]
SAMPLE_DAY = dt.date(2026, 1, 29)

LEGACY_YASNO_PAGE = "yasno/yasno-legacy-v1_schedule-turn-off-electricity_2025-12-16.json"
TRUNCATED_JSON = b'{"fact": {"update": "29.01.2026 06:00", "data": {"1769637600": {"GPV1.1": '


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return build_plugin_manager(SETTINGS)


@pytest.fixture(params=REGIONS)
def region(request: pytest.FixtureRequest) -> str:
    code: str = request.param
    return code


@pytest.fixture
def hooks(registry: PluginRegistry, region: str) -> RegionHooks:
    return registry.for_region(region)


@pytest.fixture
def queues(region: str) -> tuple[str, ...]:
    return SETTINGS.regions[region].queue_set.ids()


@pytest.fixture
def info(registry: PluginRegistry, region: str) -> RegionInfo:
    return registry.region_info(region)


async def region_demo_files(
    hooks: RegionHooks, today: dt.date, queues: tuple[str, ...]
) -> list[SourceFile]:
    """Call the region's `dso_demo_sources` and flatten the lists of its implementations."""
    results = await hooks.call("dso_demo_sources", today=today, queues=queues)
    return [source for result in results for source in result]


def format_samples(queues: tuple[str, ...]) -> dict[str, SourceFile]:
    """Return one readable schedule file per known schedule format, keyed by format name.

    The legacy YASNO page is the real published file, so a test skips when it is absent.
    """
    written = demo_sources("sample", SAMPLE_DAY, queues, {}, schedule_formats=("dtek", "yasno"))
    samples = {"dtek": written[0], "yasno": written[1]}
    legacy = shared_file(LEGACY_YASNO_PAGE)
    samples["yasno-legacy"] = SourceFile("schedule", legacy.name, legacy.read_bytes())
    assert set(samples) == FORMATS, "add a sample for every format in core.formats"
    return samples


# Identity


def test_region_info_is_own(info: RegionInfo, region: str) -> None:
    assert isinstance(info, RegionInfo)
    assert info.code == region


def test_region_info_names_dso(info: RegionInfo) -> None:
    assert info.dso_name_uk.strip()
    assert info.dso_name_en.strip()


def test_region_reads_configured_formats(info: RegionInfo, region: str) -> None:
    configured = {source.format for source in SETTINGS.regions[region].schedule_sources}
    assert configured <= set(info.schedule_formats)
    assert set(info.schedule_formats) <= FORMATS


# Schedules


@pytest.mark.parametrize("today", DEMO_DAYS, ids=str)
async def test_demo_schedules_read_back(
    hooks: RegionHooks, queues: tuple[str, ...], today: dt.date
) -> None:
    files = await region_demo_files(hooks, today, queues)
    schedules = [source for source in files if source.kind == "schedule"]
    assert schedules, "the region writes no demo schedule file"

    tomorrow = today + dt.timedelta(days=1)
    for source in schedules:
        document = await hooks.call(
            "dso_read_schedule_source", content=source.content, filename=source.filename
        )
        assert document is not None, f"{source.filename} is not read by its own region"
        assert {day.queue for day in document.days} == set(queues), source.filename
        assert {day.day for day in document.days} == {today, tomorrow}, source.filename
        assert len(document.days) == 2 * len(queues), source.filename
        assert {day.status for day in document.days} == {DayStatus.APPLIES}, source.filename


async def test_schedule_reader_skips_unread_formats(
    hooks: RegionHooks, info: RegionInfo, queues: tuple[str, ...]
) -> None:
    samples = format_samples(queues)
    for name in sorted(FORMATS - set(info.schedule_formats)):
        sample = samples[name]
        document = await hooks.call(
            "dso_read_schedule_source", content=sample.content, filename=sample.filename
        )
        assert document is None, f"a '{name}' file is read by a region that lacks the format"


async def test_schedule_reader_skips_address_file(
    hooks: RegionHooks, queues: tuple[str, ...]
) -> None:
    files = demo_sources("sample", SAMPLE_DAY, queues, {None: {"вул. Тестова": ["1"]}})
    houses = next(source for source in files if source.kind == "addresses")

    document = await hooks.call(
        "dso_read_schedule_source", content=houses.content, filename=houses.filename
    )

    assert document is None


async def test_schedule_reader_rejects_malformed_json(hooks: RegionHooks) -> None:
    with pytest.raises(SourceFormatError):
        await hooks.call("dso_read_schedule_source", content=TRUNCATED_JSON, filename="cut.json")


# Addresses


async def test_demo_addresses_read_back(hooks: RegionHooks, queues: tuple[str, ...]) -> None:
    files = await region_demo_files(hooks, SAMPLE_DAY, queues)
    addresses = [source for source in files if source.kind == "addresses"]
    assert addresses, "the region writes no demo address file"

    for source in addresses:
        batches = await hooks.call(
            "dso_read_address_sources", uploads=[source], context=source.context
        )
        assert batches, f"{source.filename} is not read by its own region"
        buildings = [
            building
            for batch in batches
            for street in batch.streets
            for building in street.buildings
        ]
        assert buildings, f"{source.filename} gives no building"
        for building in buildings:
            assert building.queues, f"{source.filename}: {building.number} has no queue"
            assert set(building.queues) <= set(queues), f"{source.filename}: {building.number}"


async def test_demo_addresses_keep_street(hooks: RegionHooks, queues: tuple[str, ...]) -> None:
    files = await region_demo_files(hooks, SAMPLE_DAY, queues)
    for source in (source for source in files if source.kind == "addresses"):
        batches = await hooks.call(
            "dso_read_address_sources", uploads=[source], context=source.context
        )
        streets = [street for batch in batches for street in batch.streets]
        assert [street.name for street in streets] == [source.context["street"]]
        assert streets[0].settlement == source.context.get("settlement")


async def test_address_reader_skips_schedule_file(
    hooks: RegionHooks, queues: tuple[str, ...]
) -> None:
    for name, sample in format_samples(queues).items():
        batches = await hooks.call("dso_read_address_sources", uploads=[sample], context={})
        assert batches is None, f"a '{name}' schedule file is read as addresses"


async def test_address_reader_rejects_malformed_json(hooks: RegionHooks) -> None:
    truncated = SourceFile("addresses", "cut.json", b'{"result": true, "data": {"1": ')
    with pytest.raises(SourceFormatError):
        await hooks.call(
            "dso_read_address_sources", uploads=[truncated], context={"street": "вул. Тестова"}
        )


async def test_street_name_cleaned(hooks: RegionHooks) -> None:
    name = await hooks.call("dso_clean_street_name", name="  вул.   Тестова ")
    assert isinstance(name, str)
    assert "  " not in name
    assert name == name.strip()
