"""GraphQL error answers: domain errors say their status, unexpected ones say nothing inside."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from airflow_wallaroo.api.graphql.errors import INTERNAL, format_graphql_error
from airflow_wallaroo.exceptions import ForbiddenError


def field_error(original: Exception) -> GraphQLError:
    return GraphQLError(str(original), path=["workspace_by_pk"], original_error=original)


def test_a_domain_error_keeps_its_message_and_status() -> None:
    formatted = format_graphql_error(
        field_error(ForbiddenError("workspace_id: you are not a member of workspace 3"))
    )
    assert formatted["message"] == "workspace_id: you are not a member of workspace 3"
    assert formatted["extensions"] == {"code": 403}
    assert formatted["path"] == ["workspace_by_pk"]


def test_an_unexpected_error_is_logged_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        formatted = format_graphql_error(field_error(RuntimeError("password=hunter2 in a SQL error")))
    assert formatted["message"] == INTERNAL
    assert "hunter2" not in str(formatted)
    assert "hunter2" in caplog.text


def test_a_validation_error_is_unchanged() -> None:
    formatted = format_graphql_error(GraphQLError("Cannot query field 'x' on type 'query_root'."))
    assert formatted["message"] == "Cannot query field 'x' on type 'query_root'."
    assert "extensions" not in formatted
