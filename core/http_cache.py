"""ETag and Cache-Control for the lookup path, so a CDN or a browser absorbs repeated checks.

The lookup, autocomplete and resolve responses, the queue schedule and template, the calendar
feeds and the region page all carry both. `If-None-Match` with the current tag gets a 304.
"""

import datetime as dt
import hashlib
from typing import Any

import msgspec
from litestar import Request, Response

# Maximum time a lookup response may be reused, in seconds. Shorter when the state changes sooner.
MAX_AGE_SECONDS = 60


def cached_json(
    request: Request[Any, Any, Any],
    payload: Any,
    max_age: int = MAX_AGE_SECONDS,
    *,
    tagged: Any = None,
) -> Response[bytes]:
    """Encode `payload`, tag it with a content hash, and answer 304 when the client has it.

    `tagged` is what the tag is computed from when the payload carries a field that changes on
    every request (the lookup's `at`) but does not change what the answer says.
    """
    body = msgspec.json.encode(payload)
    source = body if tagged is None else msgspec.json.encode(tagged)
    return conditional_response(
        request, body, media_type="application/json", max_age=max_age, tag_source=source
    )


def conditional_response(
    request: Request[Any, Any, Any],
    body: bytes,
    *,
    media_type: str,
    max_age: int = MAX_AGE_SECONDS,
    tag_source: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """Return `body` with an ETag of `tag_source` (the body by default) and Cache-Control, or
    a 304 without a body when the request's If-None-Match already names that tag."""
    etag = (
        '"'
        + hashlib.blake2b(body if tag_source is None else tag_source, digest_size=12).hexdigest()
        + '"'
    )
    all_headers = {
        **(headers or {}),
        "ETag": etag,
        "Cache-Control": f"public, max-age={max(0, max_age)}",
        "Vary": "Accept-Language",
    }
    if etag in _client_tags(request):
        return Response(content=b"", status_code=304, headers=all_headers)
    return Response(content=body, media_type=media_type, headers=all_headers)


def seconds_until(now: dt.datetime, *instants: dt.datetime | None) -> int:
    """Return the seconds from `now` to the earliest of `instants` still ahead, capped at the maximum."""
    ahead = [(i - now).total_seconds() for i in instants if i is not None and i > now]
    return int(min([MAX_AGE_SECONDS, *ahead]))


def _client_tags(request: Request[Any, Any, Any]) -> set[str]:
    header = request.headers.get("if-none-match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
