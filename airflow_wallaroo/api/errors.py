"""The one place where errors become HTTP answers, always ``{"msg", "code"}``.

Domain errors carry their status; request validation errors become 400 naming the
field; unknown paths 404; anything unexpected a bare 500 without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from airflow_wallaroo.core.text import shown
from airflow_wallaroo.exceptions import TooManyRequestsError, WallarooError

log = logging.getLogger(__name__)


def error_response(status_code: int, msg: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Build the contract's error body."""
    return JSONResponse(status_code=status_code, content={"msg": msg, "code": status_code}, headers=headers)


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """Turn pydantic's errors into one sentence that names each bad field."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        if error.get("type") == "json_invalid":
            parts.append(f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})")
            continue
        field = ".".join(loc) if loc else "body"
        if error.get("type") == "extra_forbidden":
            parts.append(f"{field}: unknown field")
            continue
        msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{field}: {msg}")
    return "; ".join(parts) or "invalid request"


async def _on_domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WallarooError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequestsError) else None
    return error_response(exc.status_code, exc.msg, headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    content_type = request.headers.get("content-type", "")
    body_unread = any(tuple(e.get("loc", ())) == ("body",) for e in errors)
    if body_unread and not _is_json(content_type):
        got = f"Content-Type {shown(content_type)}" if content_type else "no Content-Type"
        return error_response(
            400, f"body: send a JSON object with Content-Type: application/json (got {got})"
        )
    return error_response(400, describe_validation_errors(errors))


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    msg = str(exc.detail)
    if exc.status_code == 400 and msg == "There was an error parsing the body":  # FastAPI's own
        msg = "body: could not be parsed (malformed, not UTF-8 text, or nested too deeply)"
    elif exc.status_code == 404 and msg == "Not Found":
        msg = f"no such endpoint: {request.method} {shown(request.url.path, 200, quote=False)}"
        if "/auth/realms/" in request.url.path:
            msg += "; this server has one realm, 'master'"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        msg = f"{request.method} is not allowed on {request.url.path}" + (
            f"; use {allowed}" if allowed else ""
        )
    return error_response(exc.status_code, msg, exc.headers)


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error; the api-server log has the details")


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers on the app, so no route can answer without the contract's body."""
    app.add_exception_handler(WallarooError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
