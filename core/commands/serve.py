"""`dso serve`: the HTTP server."""

import argparse
import importlib.util
import sys

from core.settings import Settings

SERVERS = ("uvicorn", "granian")
# granian is the default because it served more requests per second on every lookup-path
# route. Measured with benchmarks/http/run.sh (2 workers, 64 connections, 1,000,000 buildings)
# on a 2 vCPU AMD EPYC machine on 2026-12-04. Requests per second, uvicorn 0.55.0 (without
# uvloop and httptools) / granian 2.8.9: lookup 3,741 / 3,891, autocomplete 1,769 / 4,037,
# resolve 3,050 / 3,646, and a bare Litestar route 10,150 / 22,809.
# granian is not a declared dependency yet, so without it `dso serve` falls back to uvicorn.
DEFAULT_SERVER = "granian"


def serve(settings: Settings, args: argparse.Namespace) -> int:
    server = settings.platform.server
    host = args.host or server.host
    port = args.port or server.port
    workers = args.workers or server.workers
    name = args.server or _default_server()
    if name == "granian":
        return _serve_granian(settings, host, port, workers)
    return _serve_uvicorn(settings, host, port, workers)


def _default_server() -> str:
    if DEFAULT_SERVER == "granian" and importlib.util.find_spec("granian") is None:
        print(
            "dso serve: granian is not installed, so uvicorn serves; "
            "install granian with `pip install granian` for the faster default",
            file=sys.stderr,
        )
        return "uvicorn"
    return DEFAULT_SERVER


def _serve_uvicorn(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    uvicorn.run(
        "core.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.platform.log_level,
        access_log=False,
        backlog=settings.platform.server.backlog,
    )
    return 0


def _serve_granian(settings: Settings, host: str, port: int, workers: int) -> int:
    server = settings.platform.server
    try:
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels
    except ImportError:
        print(
            "dso serve: granian is not installed; install it with `pip install granian`, "
            "or run `dso serve --server uvicorn`",
            file=sys.stderr,
        )
        return 1

    Granian(
        "core.app:create_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        log_level=LogLevels(settings.platform.log_level),
        log_access=False,
        backlog=server.backlog,
        backpressure=server.max_connections or None,
    ).serve()
    return 0
