"""Settings: `config/platform.toml` and `config/regions/<code>.toml`, overridden by `DSO_*` variables.

Each file is decoded into msgspec Structs. Any error names the file (or variable), the key and
the reason, and is raised at start as `core.errors.ConfigError`.

Environment overrides:
- `DSO_<SECTION>_<FIELD>` sets a platform field, e.g. `DSO_DATABASE_URL`, `DSO_SERVER_PORT`,
  `DSO_REDIS_URL`, `DSO_SECURITY_STAFF_TOKEN`;
- `DSO_REGION_<CODE>_ENABLED` enables or disables a region (`true`/`false`);
- `DSO_REGION_<CODE>_READINGS_DELIVERY_<FIELD>` sets a field of the region's
  `[readings_delivery]` table, e.g. `DSO_REGION_ODESA_READINGS_DELIVERY_URL`;
- `DSO_CONFIG_DIR` points at another config folder.
"""

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")


class ServerSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    host: str = "127.0.0.1"
    """Address the HTTP server binds to."""
    port: int = 8000
    """TCP port of the HTTP server."""
    workers: int = 1
    """Worker processes for `dso serve`."""
    backlog: int = 4096
    """Connections the kernel queues before the server accepts them (capped by the kernel's
    `net.core.somaxconn`)."""
    max_connections: int = 0
    """Open connections one granian worker serves at once; further ones wait to be accepted.
    0 means `backlog` divided by the workers, granian's own default."""


class DatabaseSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    url: str = ""
    """SQLAlchemy async URL; empty means the embedded SQLite file `var/dso.sqlite3`."""
    echo: bool = False
    """Log every SQL statement (development only)."""


class RedisSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    url: str = ""
    """Redis URL for the job broker and pub/sub; empty means in-process jobs."""


class SecuritySettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    staff_token: str = ""
    """Static bearer token for staff endpoints; empty disables them. Set it from the environment."""


class LimitSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    max_source_bytes: int = 20_000_000
    """Largest schedule or address source file accepted, in bytes."""
    max_query_chars: int = 200
    """Maximum length of an address query, in characters."""


class PhotoSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    dir: str = ""
    """Folder of meter photos sent with confirmed readings; empty means `var/photos`."""
    max_bytes: int = 5_000_000
    """Largest meter photo accepted, in bytes."""


class PlatformSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    security: SecuritySettings = SecuritySettings()
    limits: LimitSettings = LimitSettings()
    photos: PhotoSettings = PhotoSettings()
    log_level: str = "info"
    """structlog level: debug, info, warning or error."""
    log_format: str = "console"
    """`console` for people, `json` for log collectors."""
    index_poll_seconds: float = 1.0
    """How often each worker checks whether its in-memory indexes are out of date, in seconds."""


class QueueSet(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The region's queues `1.1 .. <queues>.<subqueues>`."""

    queues: int
    """Number of queues."""
    subqueues: int
    """Sub-queues in each queue."""

    def ids(self) -> tuple[str, ...]:
        return tuple(
            f"{q}.{s}" for q in range(1, self.queues + 1) for s in range(1, self.subqueues + 1)
        )


class ScheduleSource(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    """Short source name shown to customers, e.g. `DTEK` or `YASNO`."""
    format: str
    """`dtek`, `yasno` or `yasno-legacy`."""
    url: str = ""
    """Address the source is published at; empty when files are imported by hand."""
    poll_seconds: int = 0
    """How often `dso poll` fetches `url`, in seconds; 0 leaves the source to manual imports."""


DELIVERY_KINDS = ("email", "csv", "http")


class ReadingsDeliverySettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The destination of a region's accepted meter readings: its billing's mailbox, file drop or HTTP API."""

    kind: str
    """`email` (one message per batch over SMTP), `csv` (a file per batch) or `http` (a JSON POST)."""
    email_to: str = ""
    """Billing mailbox of the `email` kind."""
    directory: str = ""
    """Folder of the `csv` kind, absolute or relative to the project; empty means `var/billing/<region>`."""
    url: str = ""
    """Billing endpoint of the `http` kind."""
    token: str = ""
    """Bearer token the `http` kind sends in `Authorization`; empty sends none. A secret, so
    set it with `DSO_REGION_<CODE>_READINGS_DELIVERY_TOKEN` rather than in the file."""

    def __post_init__(self) -> None:
        # msgspec reports a ValueError raised here as a validation error of this table.
        if self.kind not in DELIVERY_KINDS:
            raise ValueError(f"kind '{self.kind}' is not one of {', '.join(DELIVERY_KINDS)}")
        if self.kind == "email" and "@" not in self.email_to:
            raise ValueError("kind 'email' needs `email_to`, the billing mailbox address")
        if self.kind == "http" and not self.url.startswith(("http://", "https://")):
            raise ValueError("kind 'http' needs `url`, an http:// or https:// address")


class RegionSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name_uk: str
    """Region name in Ukrainian."""
    name_en: str
    """Region name in English."""
    queue_set: QueueSet
    """The queues this region publishes schedules for."""
    enabled: bool = True
    """Whether the platform serves this region."""
    disabled_reason: str = ""
    """Reason the region is disabled, shown by `dso plugins list`."""
    plugin: str = ""
    """Module of a bundled region plugin; empty means the `dso.plugins` entry point named like the region."""
    schedule_sources: tuple[ScheduleSource, ...] = ()
    """Schedule sources of the region."""
    stale_after_hours: int = 36
    """A source that has not published for this many hours is shown as stale, in hours."""
    readings_delivery: ReadingsDeliverySettings | None = None
    """The billing destination of accepted meter readings; none keeps them undelivered."""
    code: str = ""
    """Region code; set from the file name."""


class Settings(msgspec.Struct, frozen=True):
    platform: PlatformSettings
    regions: dict[str, RegionSettings]
    config_dir: Path

    @property
    def database_url(self) -> str:
        if self.platform.database.url:
            return self.platform.database.url
        return f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'dso.sqlite3'}"

    def enabled_regions(self) -> list[str]:
        return [code for code, region in self.regions.items() if region.enabled]


def load_settings(
    config_dir: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Load and validate every config file, then apply `DSO_*` overrides."""
    env = os.environ if environ is None else environ
    directory = Path(config_dir or env.get("DSO_CONFIG_DIR") or PROJECT_ROOT / "config")

    platform_raw = _read_toml(directory / "platform.toml", required=False)
    from_env = _apply_platform_env(platform_raw, env)
    try:
        platform = _convert(platform_raw, PlatformSettings, str(directory / "platform.toml"))
    except ConfigError as error:
        variable = _variable_behind(error, from_env)
        if variable:
            raise ConfigError(variable, error.key, error.reason) from error
        raise

    regions: dict[str, RegionSettings] = {}
    for path in sorted((directory / "regions").glob("*.toml")):
        code = path.stem
        raw = _read_toml(path, required=True)
        _apply_region_env(raw, code, env)
        region = _convert(raw, RegionSettings, str(path))
        regions[code] = msgspec.structs.replace(region, code=code)
    return Settings(platform=platform, regions=regions, config_dir=directory)


def _read_toml(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(str(path), "-", "the file does not exist")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "-", f"invalid TOML: {error}") from error


def _convert(raw: dict[str, Any], kind: type[T], source: str) -> T:
    try:
        return msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError as error:
        message = str(error)
        reason, _, where = message.partition(" - at `")
        key = where.rstrip("`").removeprefix("$.") or "-"
        raise ConfigError(source, key, reason) from error


def _apply_platform_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """Apply `DSO_<SECTION>_<FIELD>` variables to `raw`; return each set key with its variable."""
    sections = set(_section_fields())
    applied: dict[str, str] = {}
    for variable, value in env.items():
        if not variable.startswith("DSO_") or variable.startswith("DSO_REGION_"):
            continue
        rest = variable.removeprefix("DSO_").lower()
        section, _, field = rest.partition("_")
        if section in sections and field:
            raw.setdefault(section, {})[field] = value
            applied[f"{section}.{field}"] = variable
        elif rest in ("log_level", "log_format", "index_poll_seconds"):
            raw[rest] = value
            applied[rest] = variable
    return applied


def _variable_behind(error: ConfigError, from_env: Mapping[str, str]) -> str | None:
    """Return the environment variable that set the key an error is about, if one did.

    msgspec reports an unknown field against the section that contains it ("server" with reason
    "unknown field `portt`"), so the field named in the reason is tried too.
    """
    if error.key in from_env:
        return from_env[error.key]
    _, _, rest = error.reason.partition("unknown field `")
    field = rest.split("`", 1)[0]
    return from_env.get(f"{error.key}.{field}") if field else None


def _section_fields() -> dict[str, type]:
    hints = PlatformSettings.__annotations__
    return {
        name: kind
        for name, kind in hints.items()
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct)
    }


def _apply_region_env(raw: dict[str, Any], code: str, env: Mapping[str, str]) -> None:
    for field in ReadingsDeliverySettings.__struct_fields__:
        delivery_value = env.get(f"DSO_REGION_{code.upper()}_READINGS_DELIVERY_{field.upper()}")
        if delivery_value is not None:
            raw.setdefault("readings_delivery", {})[field] = delivery_value

    value = env.get(f"DSO_REGION_{code.upper()}_ENABLED")
    if value is None:
        return
    if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(
            f"DSO_REGION_{code.upper()}_ENABLED", "enabled", f"'{value}' is not true or false"
        )
    raw["enabled"] = value.lower() in ("true", "1", "yes")
    if not raw["enabled"]:
        raw["disabled_reason"] = f"disabled by DSO_REGION_{code.upper()}_ENABLED"
