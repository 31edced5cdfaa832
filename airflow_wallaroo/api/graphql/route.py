"""``POST /v1/graphql``: the GraphQL operations of the Wallaroo SDK, with the /v1/api's auth.

The caller and the session come from the same dependencies as every ``/v1/api`` route, so
the same token is needed and the same workspace rules hold. The answer follows GraphQL
over HTTP: 200 with ``data`` (and ``errors`` for fields that failed), 400 with ``errors``
for a request that cannot be executed (bad JSON, unknown operation or field, invalid
variables).
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Annotated, Any

from ariadne import graphql_sync
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError, GraphQLSchema, OperationType, get_operation_ast, parse

from airflow_wallaroo.airflow_compat.auth import BaseUser
from airflow_wallaroo.api.authz import Action, check
from airflow_wallaroo.api.deps import CallerDep, SessionDep, authenticated_user
from airflow_wallaroo.api.graphql.errors import format_graphql_error
from airflow_wallaroo.api.graphql.schema import build_schema
from airflow_wallaroo.api.graphql.sources import GraphQLContext
from airflow_wallaroo.api.openapi import errors
from airflow_wallaroo.settings import load_settings

router = APIRouter(tags=["graphql"])
#: ariadne logs every error with its traceback; ours logs the unexpected ones only
#: (``format_graphql_error``), so a 404 in a field is not an api-server error.
_EXECUTION_LOG = logging.getLogger(__name__ + ".execution")
_EXECUTION_LOG.addHandler(logging.NullHandler())
_EXECUTION_LOG.propagate = False


@lru_cache(maxsize=1)
def executable_schema() -> GraphQLSchema:
    return build_schema()


class _BadBody:
    """The body was not JSON: said as a GraphQL error rather than a validation 400."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


async def _operation(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _BadBody(f"the body is not valid JSON ({exc})")


def _is_mutation(operation: Any) -> bool:
    """Whether the operation to run is a mutation; an unparsable one is left to the executor."""
    if not isinstance(operation, dict) or not isinstance(operation.get("query"), str):
        return False
    try:
        document = parse(operation["query"])
    except GraphQLError:
        return False
    name = operation.get("operationName")
    chosen = get_operation_ast(document, name if isinstance(name, str) else None)
    return chosen is not None and chosen.operation == OperationType.MUTATION


GRAPHQL_ERRORS = {
    "description": "GraphQL's own error answer: the operation could not be parsed, validated or run",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": {"type": "object"}}, "data": {}},
            }
        }
    },
}


@router.post(
    "/graphql",
    responses={400: GRAPHQL_ERRORS, **errors(401, 403)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "operationName": {"type": "string"},
                            "variables": {"type": "object"},
                        },
                    }
                }
            },
        }
    },
)
def graphql_endpoint(
    operation: Annotated[Any, Depends(_operation)],
    caller: CallerDep,
    session: SessionDep,
    user: Annotated[BaseUser, Depends(authenticated_user)],
) -> JSONResponse:
    """Execute one GraphQL operation (``{"query", "operationName"?, "variables"?}``).

    Airflow's roles hold as on ``/v1/api``: a query needs DAG read access, a mutation edit access.
    """
    if isinstance(operation, _BadBody):
        return JSONResponse({"errors": [{"message": operation.reason}]}, status_code=400)
    check(user, Action.EDIT if _is_mutation(operation) else Action.READ)
    context = GraphQLContext(session=session, caller=caller, settings=load_settings())
    success, result = graphql_sync(
        executable_schema(),
        operation,
        context_value=context,
        error_formatter=format_graphql_error,
        logger=_EXECUTION_LOG,
    )
    return JSONResponse(result, status_code=200 if success else 400)
