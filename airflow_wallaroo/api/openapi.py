"""The OpenAPI document tells what the wire says: errors are ``{msg, code}``, never 422.

FastAPI documents a 422 ``{detail}`` for every route with a body; this API answers 400
``{msg, code}`` (``api/errors.py``). Routes declare their own error codes with
:func:`errors`; :func:`install_openapi` rewrites what FastAPI generates so that every
operation documents the 400 it can answer and nothing else of the 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error this API answers (but GraphQL's own): what went wrong, for a person, and the status."""

    msg: str = Field(description="What went wrong, naming the field or the thing concerned")
    code: int = Field(description="The HTTP status code, repeated")


WHY = {
    400: "Invalid request: a field is missing, out of range, unknown or malformed (the message names it)",
    401: "Not authenticated: no token, or a bad or expired one",
    403: "Forbidden: the caller's Airflow role, or workspace membership, does not allow it",
    404: "Not found: the thing named does not exist (or is not the caller's to see)",
    405: "Method not allowed; the Allow header lists the methods the path takes",
    409: "Conflict with the current state of what the request names",
    413: "The upload is over the configured size limit",
    429: "Too many requests of this kind at once; retry later",
    507: "No storage left for the upload",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: each code with the ``{msg, code}`` body and why it happens."""
    return {code: {"model": ErrorBody, "description": WHY[code]} for code in codes}


_WORKSPACE = "$response.body#/workspace_id"
_ID = "$response.body#/id"
#: OpenAPI links: which answer feeds which request (clients and Schemathesis' stateful phase
#: follow them). (path, status) -> {name: (target path, method, requestBody or parameters)}.
LINKS: dict[tuple[str, str], dict[str, tuple[str, str, dict[str, Any]]]] = {
    ("/api/workspaces/create", "200"): {
        "ListUsers": ("/api/workspaces/list_users", "post", {"workspace_id": _WORKSPACE}),
        "AddUser": ("/api/workspaces/add_user", "post", {"workspace_id": _WORKSPACE}),
        "ListOrchestrations": ("/api/orchestration/list", "post", {"workspace_id": _WORKSPACE}),
        "ListTasks": ("/api/task/list", "post", {"workspace_id": _WORKSPACE}),
    },
    ("/api/orchestration/upload", "202"): {
        "GetOrchestration": ("/api/orchestration/get_by_id", "post", {"id": _ID}),
        "Download": ("/api/orchestration/download", "get", {"query.id": _ID}),
        "RunOnce": ("/api/task/run_once", "post", {"orch_id": _ID}),
        "DeleteOrchestration": (
            "/api/orchestration/delete_orchestrations",
            "post",
            {"orchestrations": [_ID]},
        ),
    },
    ("/api/orchestration/get_by_id", "200"): {
        "TasksBySha": ("/api/task/get_tasks_by_orch_sha", "post", {"sha": "$response.body#/sha"}),
        "TasksOfOrchestration": ("/api/task/list", "post", {"orch_id": _ID}),
    },
    **{
        (f"/api/task/{kind}", "201"): {
            "GetTask": ("/api/task/get_by_id", "post", {"id": _ID}),
            "ListRuns": ("/api/task/list_task_runs", "post", {"task_id": _ID}),
            "Pause": ("/api/task/pause", "post", {"id": _ID}),
            "Kill": ("/api/task/kill", "post", {"id": _ID}),
        }
        for kind in ("run_once", "run_scheduled", "run_continuously")
    },
}


def _links(document: dict[str, Any]) -> None:
    for (path, status), links in LINKS.items():
        response = document["paths"][path]["post"]["responses"][status]
        response["links"] = {
            name: {"operationId": document["paths"][target][method]["operationId"]}
            | ({"parameters": values} if method == "get" else {"requestBody": values})
            for name, (target, method, values) in links.items()
        }


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` build (once) the corrected document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,  # FastAPI adds the mount's root path (/v1) before the first call
            )
            app.openapi_schema = _truthful(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _truthful(document: dict[str, Any]) -> dict[str, Any]:
    """Drop every 422 and FastAPI's validation schemas; document 400 ``{msg, code}`` instead."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for path in document.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            had_422 = responses.pop("422", None) is not None
            if (
                had_422 or "requestBody" in operation or operation.get("parameters")
            ) and "400" not in responses:
                responses["400"] = {
                    "description": WHY[400],
                    "content": {"application/json": {"schema": error_ref}},
                }
    _links(document)
    return document
