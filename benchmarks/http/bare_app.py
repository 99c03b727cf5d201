"""A bare Litestar app: the product's routes with fixed responses, to measure the framework alone.

Each route has the same path and query parameters as the product's route, so Litestar does the
same routing and parameter parsing, and returns a fixed JSON body saved from the product's own
response, so the body is the same size. The gap between this app and the product is the
cost of the product's own work: dependencies, index look-ups, building and encoding the
response, and the ETag.

The bodies are read at import from `BENCH_BODIES` (a folder with `lookup.json`,
`autocomplete.json` and `resolve.json`; `run.sh` writes them).

    BENCH_BODIES=var/bench/static uvicorn benchmarks.http.bare_app:app --workers 2
"""

import os
from pathlib import Path

from litestar import Litestar, Response, get
from litestar.params import Parameter

BODIES = Path(os.environ.get("BENCH_BODIES", "var/bench/static"))


def _body(name: str) -> bytes:
    path = BODIES / name
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: run benchmarks/http/run.sh, which writes it")
    return path.read_bytes()


LOOKUP = _body("lookup.json")
AUTOCOMPLETE = _body("autocomplete.json")
RESOLVE = _body("resolve.json")


@get("/api/v1/regions/{region:str}/outages", sync_to_thread=False)
def lookup(
    region: str,
    street_id: int | None = Parameter(default=None, ge=1),
    house: str | None = Parameter(default=None, max_length=40),
) -> Response[bytes]:
    return Response(LOOKUP, media_type="application/json")


@get("/api/v1/regions/{region:str}/addresses/streets", sync_to_thread=False)
def autocomplete(region: str, q: str = Parameter(max_length=200)) -> Response[bytes]:
    return Response(AUTOCOMPLETE, media_type="application/json")


@get("/api/v1/regions/{region:str}/addresses/resolve", sync_to_thread=False)
def resolve(region: str, address: str = Parameter(max_length=200)) -> Response[bytes]:
    return Response(RESOLVE, media_type="application/json")


@get("/health/ready", sync_to_thread=False)
def ready() -> dict[str, str]:
    return {"status": "ready"}


app = Litestar(route_handlers=[lookup, autocomplete, resolve, ready])
