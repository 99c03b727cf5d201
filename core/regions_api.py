"""The list of regions this deployment serves."""

import msgspec
from litestar import get

from core.plugins import PluginRegistry
from core.settings import Settings


class SourceInfoOut(msgspec.Struct, frozen=True):
    name: str
    format: str
    url: str


class RegionOut(msgspec.Struct, frozen=True):
    code: str
    name_uk: str
    name_en: str
    dso_name_uk: str
    dso_name_en: str
    website: str
    phone: str
    queues: list[str]
    schedule_sources: list[SourceInfoOut]


@get(
    "/api/v1/regions",
    operation_id="listRegions",
    summary="Regions served here",
    tags=["regions"],
    sync_to_thread=False,
)
def list_regions(settings: Settings, registry: PluginRegistry) -> list[RegionOut]:
    return [_region_out(settings, registry, code) for code in registry.regions]


def _region_out(settings: Settings, registry: PluginRegistry, code: str) -> RegionOut:
    config = settings.regions[code]
    info = registry.region_info(code)
    return RegionOut(
        code=code,
        name_uk=config.name_uk,
        name_en=config.name_en,
        dso_name_uk=info.dso_name_uk,
        dso_name_en=info.dso_name_en,
        website=info.website,
        phone=info.phone,
        queues=list(config.queue_set.ids()),
        schedule_sources=[SourceInfoOut(s.name, s.format, s.url) for s in config.schedule_sources],
    )
