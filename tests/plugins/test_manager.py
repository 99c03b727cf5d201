"""build_plugin_manager over the repository's config/, and the errors that stop a bad start."""

import datetime as dt
import importlib
from importlib import metadata
from pathlib import Path

import pluggy
import pytest

from core import cli, defaults, hookspecs
from core.errors import ConfigError, RegionDisabledError, UnknownRegionError
from core.hookspecs import SourceFile, hookimpl
from core.plugins import DEFAULTS_NAME, PluginRegistry, RegionHooks, build_plugin_manager, resolve
from core.settings import Settings, load_settings

REGION_TOML = """\
name_uk = "Тестова область"
name_en = "Test region"
queue_set = { queues = 6, subqueues = 2 }
"""


@pytest.fixture(scope="module")
def real_settings() -> Settings:
    """The repository's config/ with no DSO_* variables applied."""
    return load_settings(environ={})


@pytest.fixture(scope="module")
def registry(real_settings: Settings) -> PluginRegistry:
    return build_plugin_manager(real_settings)


def write_region(config_dir: Path, code: str, body: str) -> Path:
    """Write `regions/<code>.toml` under `config_dir` and return its path."""
    path = config_dir / "regions" / f"{code}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def config_error(config_dir: Path, environ: dict[str, str] | None = None) -> ConfigError:
    """Load `config_dir` and return the ConfigError it raises."""
    with pytest.raises(ConfigError) as caught:
        load_settings(config_dir=config_dir, environ=environ or {})
    return caught.value


# Registration


def test_every_enabled_region_registered(real_settings: Settings, registry: PluginRegistry) -> None:
    assert registry.regions == real_settings.enabled_regions()
    for code in real_settings.enabled_regions():
        assert registry.manager.get_plugin(code) is not None, code


def test_bundled_regions_report_module_and_version(
    real_settings: Settings, registry: PluginRegistry
) -> None:
    statuses = {status.region: status for status in registry.statuses}
    bundled = [code for code, region in real_settings.regions.items() if region.plugin]
    assert bundled

    for code in bundled:
        status = statuses[code]
        assert status.enabled, code
        assert status.plugin == real_settings.regions[code].plugin
        assert status.version == metadata.version("dso-platform")
        assert registry.manager.get_plugin(code) is importlib.import_module(status.plugin)


def test_core_defaults_registered(registry: PluginRegistry) -> None:
    assert registry.manager.get_plugin(DEFAULTS_NAME) is defaults


def test_kyiv_region_found_by_entry_point(
    real_settings: Settings, registry: PluginRegistry
) -> None:
    status = next(s for s in registry.statuses if s.region == "kyiv_region")

    assert real_settings.regions["kyiv_region"].plugin == ""
    assert status.enabled
    assert status.plugin == "dso_kyiv_region.hooks"
    assert status.version == metadata.version("dso-region-kyiv-region")
    plugin = importlib.import_module("dso_kyiv_region.hooks")
    assert registry.manager.get_plugin("kyiv_region") is plugin


# Disabled and unknown regions


@pytest.fixture(scope="module")
def odesa_disabled() -> PluginRegistry:
    return build_plugin_manager(load_settings(environ={"DSO_REGION_ODESA_ENABLED": "false"}))


def test_env_disabled_region_not_registered(odesa_disabled: PluginRegistry) -> None:
    assert "odesa" not in odesa_disabled.regions
    assert odesa_disabled.manager.get_plugin("odesa") is None
    assert odesa_disabled.manager.is_blocked("odesa")


def test_env_disabled_region_raises(odesa_disabled: PluginRegistry) -> None:
    with pytest.raises(RegionDisabledError) as caught:
        odesa_disabled.for_region("odesa")
    assert caught.value.params["region"] == "odesa"


def test_env_disabled_region_status(odesa_disabled: PluginRegistry) -> None:
    status = next(s for s in odesa_disabled.statuses if s.region == "odesa")

    assert not status.enabled
    assert status.plugin == "plugins.odesa.hooks"
    assert status.reason


def test_env_disabled_region_leaves_others(
    real_settings: Settings, odesa_disabled: PluginRegistry
) -> None:
    expected = [code for code in real_settings.enabled_regions() if code != "odesa"]
    assert odesa_disabled.regions == expected


def test_config_disabled_reason_in_status(tmp_path: Path) -> None:
    reason = "schedules are published elsewhere until further notice"
    body = (
        REGION_TOML + f'enabled = false\ndisabled_reason = "{reason}"\nplugin = "no.such.module"\n'
    )
    write_region(tmp_path, "resting", body)

    registry = build_plugin_manager(load_settings(config_dir=tmp_path, environ={}))

    status = next(s for s in registry.statuses if s.region == "resting")
    assert not status.enabled
    assert status.reason == reason


def test_unknown_region_raises(registry: PluginRegistry) -> None:
    with pytest.raises(UnknownRegionError) as caught:
        registry.for_region("atlantis")
    assert caught.value.params["region"] == "atlantis"
    assert "kyiv" in caught.value.params["known"]


# Plugins that must stop the start


def test_misspelled_hook_fails_at_start(tmp_path: Path) -> None:
    write_region(
        tmp_path, "misspelled", REGION_TOML + 'plugin = "tests.plugins.misspelled_region"\n'
    )
    settings = load_settings(config_dir=tmp_path, environ={})

    with pytest.raises(pluggy.PluginValidationError, match="dso_read_schedule_sourse"):
        build_plugin_manager(settings)


def test_missing_plugin_module_names_key(tmp_path: Path) -> None:
    write_region(tmp_path, "ghost", REGION_TOML + 'plugin = "tests.plugins.no_such_region"\n')
    settings = load_settings(config_dir=tmp_path, environ={})

    with pytest.raises(ConfigError) as caught:
        build_plugin_manager(settings)
    assert caught.value.key == "plugin"
    assert caught.value.source.endswith("regions/ghost.toml")
    assert "tests.plugins.no_such_region" in caught.value.reason


def test_missing_plugin_module_names_real_file(tmp_path: Path) -> None:
    path = write_region(
        tmp_path, "ghost", REGION_TOML + 'plugin = "tests.plugins.no_such_region"\n'
    )
    settings = load_settings(config_dir=tmp_path, environ={})

    with pytest.raises(ConfigError) as caught:
        build_plugin_manager(settings)
    assert caught.value.source == str(path)


def test_plugin_of_other_region_fails(tmp_path: Path) -> None:
    write_region(tmp_path, "impostor", REGION_TOML + 'plugin = "plugins.odesa.hooks"\n')
    settings = load_settings(config_dir=tmp_path, environ={})

    with pytest.raises(ConfigError) as caught:
        build_plugin_manager(settings)
    assert caught.value.key == "plugin"
    assert "impostor" in caught.value.reason


def test_region_without_plugin_or_entry_point_fails(tmp_path: Path) -> None:
    write_region(tmp_path, "orphan", REGION_TOML)
    settings = load_settings(config_dir=tmp_path, environ={})

    with pytest.raises(ConfigError) as caught:
        build_plugin_manager(settings)
    assert caught.value.key == "plugin"
    assert "dso.plugins" in caught.value.reason


def test_entry_point_without_config_is_disabled(tmp_path: Path) -> None:
    write_region(tmp_path, "odesa", REGION_TOML + 'plugin = "plugins.odesa.hooks"\n')

    registry = build_plugin_manager(load_settings(config_dir=tmp_path, environ={}))

    status = next(s for s in registry.statuses if s.region == "kyiv_region")
    assert not status.enabled
    assert "kyiv_region.toml" in status.reason
    assert registry.regions == ["odesa"]


# Region-scoped calls


def test_scoped_region_info_is_own(registry: PluginRegistry) -> None:
    for code in registry.regions:
        info = registry.for_region(code).caller("dso_region_info")()
        assert info.code == code


async def test_scoped_demo_sources_are_own(
    real_settings: Settings, registry: PluginRegistry
) -> None:
    today = dt.date(2026, 1, 29)
    for code in registry.regions:
        queues = real_settings.regions[code].queue_set.ids()
        results = await registry.for_region(code).call(
            "dso_demo_sources", today=today, queues=queues
        )

        assert len(results) == 1, f"{code} received results of {len(results)} plugins"
        names = [source.filename for source in results[0]]
        assert all(name.startswith(f"{code}-demo-") for name in names), names


async def test_scoped_call_falls_back_to_default(registry: PluginRegistry) -> None:
    for code in registry.regions:
        name = await registry.for_region(code).call(
            "dso_clean_street_name", name=" вул.  Хрещатик "
        )
        assert name == "вул. Хрещатик"


# Sync and async results


async def test_resolve_returns_plain_value() -> None:
    value = {"queue": "1.1"}
    assert await resolve(value) is value


async def test_resolve_awaits_coroutine() -> None:
    async def first_queue() -> str:
        return "1.1"

    assert await resolve(first_queue()) == "1.1"


async def test_resolve_awaits_list_items() -> None:
    async def echo(queue: str) -> str:
        return queue

    results = await resolve([echo("1.1"), "1.2", echo("2.1")])
    assert results == ["1.1", "1.2", "2.1"]


class AsyncRegion:
    """A region whose hooks are coroutine functions."""

    @hookimpl
    async def dso_demo_sources(self, today: dt.date) -> list[SourceFile]:
        return [SourceFile("schedule", f"async-{today.isoformat()}.json", b"{}")]

    @hookimpl
    async def dso_clean_street_name(self, name: str) -> str | None:
        return name.upper() if name.startswith("вул.") else None


def async_region_hooks() -> RegionHooks:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(defaults, name=DEFAULTS_NAME)
    manager.register(AsyncRegion(), name="async_region")
    manager.check_pending()
    return RegionHooks(manager, "async_region", [])


async def test_async_hook_all_results_awaited() -> None:
    hooks = async_region_hooks()

    results = await hooks.call("dso_demo_sources", today=dt.date(2026, 1, 29), queues=("1.1",))

    assert [[source.filename for source in group] for group in results] == [
        ["async-2026-01-29.json"]
    ]


async def test_async_hook_first_result_awaited() -> None:
    hooks = async_region_hooks()
    assert await hooks.call("dso_clean_street_name", name="вул. хрещатик") == "ВУЛ. ХРЕЩАТИК"


async def test_async_first_result_none_is_final() -> None:
    """pluggy stops at the coroutine object, so the core default never runs (docs/plugins.md)."""
    hooks = async_region_hooks()
    assert await hooks.call("dso_clean_street_name", name="  площа  Ринок ") is None


# `dso plugins list`


def test_plugins_list_prints_every_region(
    real_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DSO_CONFIG_DIR", raising=False)
    monkeypatch.setenv("DSO_REGION_ODESA_ENABLED", "false")

    assert cli.main(["plugins", "list"]) == 0

    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line}
    for code in real_settings.regions:
        assert code in rows, f"no line for region {code}"
        expected = "disabled" if code == "odesa" else "enabled"
        assert rows[code][3] == expected, rows[code]


# Bad config files and variables


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    path = write_region(tmp_path, "broken", 'name_uk = "Тест\nname_en = "Test"\n')

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert error.reason.startswith("invalid TOML")


def test_wrong_type_names_key(tmp_path: Path) -> None:
    body = REGION_TOML.replace("{ queues = 6, subqueues = 2 }", '"x"')
    path = write_region(tmp_path, "typo", body)

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert error.key == "queue_set"
    assert "Expected `object`, got `str`" in error.reason


def test_nested_wrong_type_names_key(tmp_path: Path) -> None:
    body = REGION_TOML.replace("queues = 6", 'queues = "six"')
    path = write_region(tmp_path, "typo", body)

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert error.key == "queue_set.queues"
    assert "Expected `int`" in error.reason


def test_unknown_key_names_key(tmp_path: Path) -> None:
    path = write_region(tmp_path, "extra", REGION_TOML + 'colour = "red"\n')

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert "unknown field `colour`" in error.reason
    assert "colour" in str(error)


def test_missing_required_key_names_key(tmp_path: Path) -> None:
    path = write_region(tmp_path, "short", REGION_TOML.replace('name_en = "Test region"\n', ""))

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert "missing required field `name_en`" in error.reason


def test_platform_unknown_key_names_section(tmp_path: Path) -> None:
    path = tmp_path / "platform.toml"
    path.write_text("[server]\nprot = 8080\n", encoding="utf-8")

    error = config_error(tmp_path)

    assert error.source == str(path)
    assert error.key == "server"
    assert "unknown field `prot`" in error.reason


def test_env_port_not_integer_names_variable(tmp_path: Path) -> None:
    error = config_error(tmp_path, {"DSO_SERVER_PORT": "abc"})

    assert error.source == "DSO_SERVER_PORT"
    assert error.key == "server.port"
    assert "Expected `int`, got `str`" in error.reason


def test_env_region_enabled_invalid(tmp_path: Path) -> None:
    write_region(tmp_path, "odesa", REGION_TOML)

    error = config_error(tmp_path, {"DSO_REGION_ODESA_ENABLED": "maybe"})

    assert error.source == "DSO_REGION_ODESA_ENABLED"
    assert error.key == "enabled"
    assert "'maybe'" in error.reason


def test_env_unknown_field_names_variable(tmp_path: Path) -> None:
    error = config_error(tmp_path, {"DSO_SERVER_PORTT": "8080"})
    assert error.source == "DSO_SERVER_PORTT"


def test_config_error_message_names_all_parts(tmp_path: Path) -> None:
    body = REGION_TOML.replace("{ queues = 6, subqueues = 2 }", '"x"')
    path = write_region(tmp_path, "typo", body)

    message = str(config_error(tmp_path))

    assert str(path) in message
    assert "queue_set" in message
    assert "Expected `object`, got `str`" in message
