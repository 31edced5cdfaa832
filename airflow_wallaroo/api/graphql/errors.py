"""GraphQL errors: a domain error keeps its message and says its HTTP status in
``extensions.code``; anything unexpected is logged and answered without its details."""

from __future__ import annotations

import logging
from typing import Any

from ariadne import format_error
from graphql import GraphQLError

from airflow_wallaroo.exceptions import WallarooError

log = logging.getLogger(__name__)
INTERNAL = "internal error; the api-server log has the details"


def format_graphql_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """Format like ariadne does, never leaking an unexpected exception's text."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return format_error(error, debug)
    formatted = format_error(error, False)
    if isinstance(original, WallarooError):
        formatted["message"] = original.msg
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": original.status_code}
    elif isinstance(original, ValueError) and error.path is None:
        return formatted  # a variable or literal a scalar refused: the message names it
    else:
        log.error(
            "Unexpected error in GraphQL field %s", ".".join(map(str, error.path or [])), exc_info=original
        )
        formatted["message"] = INTERNAL
        formatted["extensions"] = {"code": 500}
    return formatted
