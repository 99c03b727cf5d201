"""The `dso` command: serve, migrate, import sources, load demo data, run jobs and list plugins."""

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from core.errors import ConfigError, DsoError
from core.i18n import translate
from core.logs import configure_logging
from core.settings import Settings, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        level = settings.platform.log_level if args.verbose else "warning"
        configure_logging(level, settings.platform.log_format)
        result = args.handler(settings, args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 78
    except DsoError as error:
        print(translate(error.template, args.lang, **_text_params(error)), file=sys.stderr)
        return 1


def _text_params(error: DsoError) -> dict[str, Any]:
    return {
        k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in error.params.items()
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dso", description="dso-platform: online services of distribution system operators."
    )
    parser.add_argument(
        "--lang",
        choices=("uk", "en"),
        default="uk",
        help="language of error messages (default: uk)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log at the level set in config/platform.toml instead of warnings only",
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the HTTP API and pages")
    serve.add_argument(
        "--host", help="address to bind (default: server.host of config/platform.toml)"
    )
    serve.add_argument("--port", type=int, help="TCP port (default: server.port)")
    serve.add_argument("--workers", type=int, help="worker processes (default: server.workers)")
    serve.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        help="ASGI server that runs the workers (default: granian when installed, else uvicorn)",
    )
    _set(serve, "core.commands.serve:serve")

    db = commands.add_parser("db", help="database schema").add_subparsers(metavar="ACTION")
    _set(
        db.add_parser("upgrade", help="apply every pending migration"),
        "core.commands.database:upgrade",
    )

    imports = commands.add_parser("import", help="import source files").add_subparsers(
        metavar="KIND"
    )
    schedule = imports.add_parser(
        "schedule", help="import schedule files (DTEK page or JSON, YASNO JSON)"
    )
    schedule.add_argument("--region", required=True, help="region code, e.g. kyiv")
    schedule.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _set(schedule, "core.commands.imports:import_schedule")

    addresses = imports.add_parser(
        "addresses", help="import address files (street lists, house-to-queue answers)"
    )
    addresses.add_argument("--region", required=True, help="region code, e.g. kyiv")
    addresses.add_argument(
        "--street", help="street a house list belongs to, when the file does not name it"
    )
    addresses.add_argument(
        "--settlement", help="settlement of that street, where the region has settlements"
    )
    addresses.add_argument(
        "--street-id", help="YASNO street id of a houses file (read from the file name when absent)"
    )
    addresses.add_argument(
        "--dso-id",
        help="YASNO DSO id of the address files (read from the file names when absent)",
    )
    addresses.add_argument(
        "--house-id", help="YASNO house id of a group file (read from the file name when absent)"
    )
    addresses.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _set(addresses, "core.commands.imports:import_addresses")

    poll = commands.add_parser(
        "poll",
        help="fetch the schedule sources that have a url and poll_seconds, and import changes",
    )
    poll.add_argument("--once", action="store_true", help="fetch each source once and stop")
    _set(poll, "core.commands.poll:poll")

    demo = commands.add_parser("demo", help="demo data").add_subparsers(metavar="ACTION")
    load = demo.add_parser(
        "load",
        help="import demo addresses and today's and tomorrow's schedules for every enabled region",
    )
    load.add_argument("--date", help="first demo day, YYYY-MM-DD (default: today in Kyiv)")
    _set(load, "core.commands.imports:load_demo")

    worker = commands.add_parser(
        "worker", help="run the job worker and the outbox relay (Redis setup only)"
    )
    worker.add_argument(
        "--threads", type=int, help="worker threads (default: DSO_JOBS_WORKER_THREADS or 4)"
    )
    _set(worker, "core.commands.worker:run_worker")

    plugins = commands.add_parser("plugins", help="region plugins").add_subparsers(metavar="ACTION")
    _set(
        plugins.add_parser("list", help="list regions, their plugins and whether they are enabled"),
        "core.commands.plugins:list_plugins",
    )
    return parser


def _set(parser: argparse.ArgumentParser, target: str) -> None:
    """Attach a handler by name, so a command's imports load only when it runs."""

    def handler(settings: Settings, args: argparse.Namespace) -> int | Coroutine[Any, Any, int]:
        module_name, _, function_name = target.partition(":")
        module = __import__(module_name, fromlist=[function_name])
        function: Callable[[Settings, argparse.Namespace], Any] = getattr(module, function_name)
        return function(settings, args)  # type: ignore[no-any-return]

    parser.set_defaults(handler=handler)


if __name__ == "__main__":
    raise SystemExit(main())
