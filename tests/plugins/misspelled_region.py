"""A region plugin with a misspelled hook name, which must stop the platform at start."""

from core.hookspecs import RegionInfo, hookimpl

CODE = "misspelled"


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(code=CODE, dso_name_uk="Тестовий ОСР", dso_name_en="Test DSO")


@hookimpl
def dso_read_schedule_sourse(content: bytes, filename: str) -> None:
    """Misspelled on purpose: the contract has `dso_read_schedule_source`."""
    return None
