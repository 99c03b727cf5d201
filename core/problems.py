"""One handler that turns every error into RFC 9457 problem details in the request's language."""

import re
from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from core.errors import DsoError, ServiceUnavailableError
from core.i18n import negotiate_locale, translate

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://dso-platform.invalid/problems/"

log = structlog.get_logger(__name__)


def request_locale(request: Request[Any, Any, Any]) -> str:
    return negotiate_locale(
        request.headers.get("accept-language"), request.query_params.get("lang")
    )


def problem_body(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> bytes:
    """Encode one RFC 9457 problem details document."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if field:
        body["field"] = field
    body.update(extensions or {})
    return msgspec.json.encode(body)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response[bytes]:
    body = problem_body(status, code, title, detail, field=field, extensions=extensions)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def dso_error_body(error: DsoError, locale: str) -> bytes:
    """Encode a platform error as problem details, with its title and detail in `locale`."""
    text_params = {
        k: translate(v, locale) if isinstance(v, str) else _as_text(v)
        for k, v in error.params.items()
    }
    detail = translate(error.template, locale, **text_params)
    extensions = {k: v for k, v in error.params.items() if isinstance(v, list | dict)}
    return problem_body(
        error.status,
        error.code,
        translate(error.title, locale),
        detail,
        field=error.field,
        extensions=extensions,
    )


def handle_dso_error(request: Request[Any, Any, Any], error: DsoError) -> Response[bytes]:
    if error.status >= 500:
        log.error("request.failed", path=request.url.path, code=error.code)
    body = dso_error_body(error, request_locale(request))
    return Response(body, status_code=error.status, media_type=PROBLEM_JSON)


def handle_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    """Map Litestar's own errors (unknown route, wrong method, invalid parameter) to problem details."""
    locale = request_locale(request)
    status = error.status_code
    if isinstance(error, ValidationException):
        field, detail = _validation_detail(error, locale)
        return problem_response(
            400, "invalid_query", translate("Invalid query", locale), detail, field=field
        )
    if status == 400 and str(error.detail).startswith("JSON is malformed"):
        detail = translate(
            "The request body is not valid JSON ({reason}). Send a JSON object.",
            locale,
            reason=str(error.detail).removeprefix("JSON is malformed: "),
        )
        return problem_response(400, "malformed_json", translate("Malformed JSON", locale), detail)
    if status == 404:
        detail = translate(
            "Nothing is published at {path}. See /schema for the API.",
            locale,
            path=request.url.path,
        )
        return problem_response(404, "not_found", translate("Not found", locale), detail)
    if status == 405:
        detail = translate(
            "Method {method} is not allowed at {path}.",
            locale,
            method=request.method,
            path=request.url.path,
        )
        return problem_response(
            405, "method_not_allowed", translate("Method not allowed", locale), detail
        )
    if status == 413:
        detail = translate("The request body is too large.", locale)
        return problem_response(
            413, "payload_too_large", translate("Payload too large", locale), detail
        )
    return problem_response(status, "http_error", str(error.detail), str(error.detail))


def handle_database_error(
    request: Request[Any, Any, Any], error: DBAPIError | OSError
) -> Response[bytes]:
    """Answer 503 when the database cannot be reached; nothing was written, so a retry is safe."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    log.error("database.unavailable", path=request.url.path, error=type(cause).__name__)
    return handle_dso_error(request, ServiceUnavailableError())


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    log.exception("request.unexpected_error", path=request.url.path, error=type(error).__name__)
    locale = request_locale(request)
    detail = translate("The server failed to answer. The error is logged; retry later.", locale)
    return problem_response(500, "internal", translate("Internal error", locale), detail)


# Litestar's and msgspec's validation messages, read into texts the platform translates.
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")
_VALIDATION_REASONS = (
    (re.compile(r"Expected `str` of length <= (\d+)"), "it may have at most {limit} characters"),
    (re.compile(r"Expected `str` of length >= (\d+)"), "it needs at least {limit} characters"),
    (re.compile(r"Expected `int[^`]*` >= (-?\d+)"), "it must be a whole number from {limit}"),
    (re.compile(r"Expected `int[^`]*` <= (-?\d+)"), "it must be a whole number up to {limit}"),
    (re.compile(r"Expected `int[^`]*`, got"), "it must be a whole number"),
    (re.compile(r"Object missing required field `([^`]+)`"), "field '{limit}' is missing"),
    (re.compile(r"Object contains unknown field `([^`]+)`"), "field '{limit}' is unknown"),
)


def _validation_detail(error: ValidationException, locale: str) -> tuple[str | None, str]:
    """Return the invalid field and a detail in the request's language that names what to send."""
    missing = _MISSING_PARAMETER.search(str(error.detail))
    if missing:
        name = missing.group(1)
        return name, translate(
            "Parameter '{name}' is missing. Add it to the request.", locale, name=name
        )
    extra = error.extra
    entry = extra[0] if isinstance(extra, list) and extra and isinstance(extra[0], dict) else {}
    field = str(entry["key"]) if entry.get("key") else None
    message = str(entry.get("message", ""))
    reason = message or str(error.detail)
    for pattern, text in _VALIDATION_REASONS:
        found = pattern.search(message)
        if found:
            limit = found.group(1) if pattern.groups else ""
            reason = translate(text, locale, limit=limit)
            break
    detail = translate(
        "Parameter '{name}' is invalid: {reason}", locale, name=field or "-", reason=reason
    )
    return field, detail


def _as_text(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return value


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DsoError: handle_dso_error,
    OperationalError: handle_database_error,
    InterfaceError: handle_database_error,
    OSError: handle_database_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType", "problem_response", "request_locale"]
