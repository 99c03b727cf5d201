"""The plugin manager: which regions are loaded, and region-scoped hook calls.

`build_plugin_manager(settings)` runs at start, never at import. It registers the core
defaults, each enabled region's bundled plugin module named in its config, and third-party
regions found through the `dso.plugins` entry point group. Regions that config disables are
blocked, a misspelled hook fails at start through `check_pending()`, and every loaded or
disabled plugin is logged with its version.
"""

import importlib
import inspect
from collections.abc import Callable
from importlib import metadata
from types import ModuleType
from typing import Any

import msgspec
import pluggy
import structlog

from core import defaults, hookspecs
from core.errors import ConfigError, RegionDisabledError, UnknownRegionError
from core.settings import Settings

ENTRY_POINT_GROUP = "dso.plugins"
DEFAULTS_NAME = "core.defaults"

log = structlog.get_logger(__name__)


class PluginStatus(msgspec.Struct, frozen=True):
    """One line of `dso plugins list`: a region, its plugin, its version and whether it runs."""

    region: str
    plugin: str
    version: str
    enabled: bool
    reason: str
    unconfigured: bool = False
    """True for an installed plugin that no config/regions file names, so nobody enabled it."""


async def resolve(value: Any) -> Any:
    """Await a hook result when an implementation was a coroutine; return plain values as they are."""
    if inspect.isawaitable(value):
        return await value
    if isinstance(value, list):
        return [await item if inspect.isawaitable(item) else item for item in value]
    return value


class RegionHooks:
    """Hook callers scoped to one region: its own plugin and the core defaults, no other region's plugin."""

    def __init__(self, manager: pluggy.PluginManager, region: str, others: list[object]) -> None:
        self.region = region
        self._manager = manager
        self._others = others
        self._callers: dict[str, Callable[..., Any]] = {}

    def caller(self, name: str) -> Callable[..., Any]:
        if name not in self._callers:
            self._callers[name] = self._manager.subset_hook_caller(
                name, remove_plugins=self._others
            )
        return self._callers[name]

    async def call(self, hook_name: str, /, **kwargs: Any) -> Any:
        """Call hook `hook_name` for this region and await its result."""
        return await resolve(self.caller(hook_name)(**kwargs))


class PluginRegistry:
    """The built plugin manager with the status of every known region and its scoped hooks."""

    def __init__(self, manager: pluggy.PluginManager, statuses: list[PluginStatus]) -> None:
        self.manager = manager
        self.statuses = statuses
        self._region_plugins = {
            s.region: manager.get_plugin(s.region) for s in statuses if s.enabled
        }
        self._scoped: dict[str, RegionHooks] = {}

    @property
    def regions(self) -> list[str]:
        return list(self._region_plugins)

    def region_info(self, region: str) -> hookspecs.RegionInfo:
        """Return the region plugin's description of its DSO (a sync hook, called at start)."""
        info: hookspecs.RegionInfo = self.for_region(region).caller("dso_region_info")()
        return info

    def for_region(self, region: str) -> RegionHooks:
        """Return the hooks of one enabled region; raise a 404 error for any other code."""
        if region not in self._region_plugins:
            self._raise_unknown(region)
        if region not in self._scoped:
            others = [p for code, p in self._region_plugins.items() if code != region]
            self._scoped[region] = RegionHooks(self.manager, region, others)
        return self._scoped[region]

    def _raise_unknown(self, region: str) -> None:
        if any(s.region == region and not s.enabled and not s.unconfigured for s in self.statuses):
            raise RegionDisabledError(region=region)
        raise UnknownRegionError(region=region, known=", ".join(sorted(self._region_plugins)))


def build_plugin_manager(settings: Settings) -> PluginRegistry:
    """Build the plugin manager for `settings` and log what was loaded and what was not."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(defaults, name=DEFAULTS_NAME)

    statuses: list[PluginStatus] = []
    entry_points = {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for code, region in settings.regions.items():
        statuses.append(
            _register_region(
                manager,
                code,
                region.enabled,
                region.plugin,
                entry_points,
                _region_file(settings, code),
            )
        )
        if not region.enabled and region.disabled_reason:
            statuses[-1] = msgspec.structs.replace(statuses[-1], reason=region.disabled_reason)

    for name, entry_point in entry_points.items():
        if name not in settings.regions:
            statuses.append(_unconfigured(name, entry_point))

    manager.check_pending()
    _check_region_info(manager, statuses, settings)
    for status in statuses:
        event = "plugins.loaded" if status.enabled else "plugins.disabled"
        log.info(
            event,
            region=status.region,
            plugin=status.plugin,
            version=status.version,
            reason=status.reason,
        )
    return PluginRegistry(manager, statuses)


def _register_region(
    manager: pluggy.PluginManager,
    code: str,
    enabled: bool,
    module_name: str,
    entry_points: dict[str, metadata.EntryPoint],
    config_file: str,
) -> PluginStatus:
    source = module_name or (entry_points[code].value if code in entry_points else "")
    version = _version_of(module_name, entry_points.get(code))
    if not enabled:
        manager.set_blocked(code)
        return PluginStatus(code, source or "-", version, False, "disabled in config")
    if not source:
        raise ConfigError(
            config_file,
            "plugin",
            f"no plugin module is set and no '{ENTRY_POINT_GROUP}' entry point is named '{code}'",
        )

    plugin = _load(config_file, module_name, entry_points.get(code))
    manager.register(plugin, name=code)
    return PluginStatus(code, source, version, True, "enabled in config")


def _load(
    config_file: str, module_name: str, entry_point: metadata.EntryPoint | None
) -> ModuleType:
    try:
        if module_name:
            return importlib.import_module(module_name)
        assert entry_point is not None
        loaded = entry_point.load()
    except ImportError as error:
        raise ConfigError(config_file, "plugin", f"cannot import: {error}") from error
    return loaded


def _region_file(settings: Settings, code: str) -> str:
    return str(settings.config_dir / "regions" / f"{code}.toml")


def _unconfigured(name: str, entry_point: metadata.EntryPoint) -> PluginStatus:
    version = _version_of("", entry_point)
    reason = f"no config/regions/{name}.toml"
    return PluginStatus(name, entry_point.value, version, False, reason, unconfigured=True)


def _version_of(module_name: str, entry_point: metadata.EntryPoint | None) -> str:
    if entry_point is not None and entry_point.dist is not None:
        return entry_point.dist.version
    try:
        return metadata.version("dso-platform") if module_name else "-"
    except metadata.PackageNotFoundError:
        return "-"


def _check_region_info(
    manager: pluggy.PluginManager, statuses: list[PluginStatus], settings: Settings
) -> None:
    """Fail at start when an enabled region's plugin does not describe its own region."""
    for status in statuses:
        if not status.enabled:
            continue
        plugin = manager.get_plugin(status.region)
        info = getattr(plugin, "dso_region_info", None)
        result = info() if callable(info) else None
        if not isinstance(result, hookspecs.RegionInfo) or result.code != status.region:
            raise ConfigError(
                _region_file(settings, status.region),
                "plugin",
                f"plugin {status.plugin} does not implement dso_region_info for region '{status.region}'",
            )
