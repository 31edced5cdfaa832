"""The schema holds every operation the Wallaroo SDK 2026.1.3 sends, exactly as it sends it.

``data/*.graphql`` are copied verbatim from the ``wallaroo`` wheel (``wallaroo/graphql``); the
SDK validates each against our introspected schema before sending it, as these tests do.
The compatibility suite (``tests/compat``) runs them through the real SDK.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_client_schema, get_introspection_query, graphql_sync, parse, validate

from airflow_wallaroo.api.graphql.schema import build_schema

SDK_OPERATIONS = sorted((Path(__file__).parent / "data").glob("*.graphql"))


@pytest.fixture(scope="module")
def schema():
    return build_schema()


@pytest.mark.parametrize("document", SDK_OPERATIONS, ids=[p.stem for p in SDK_OPERATIONS])
def test_the_sdks_operation_validates(schema, document: Path) -> None:
    assert validate(schema, parse(document.read_text())) == []


@pytest.mark.parametrize("document", SDK_OPERATIONS, ids=[p.stem for p in SDK_OPERATIONS])
def test_it_validates_against_the_introspected_schema_too(schema, document: Path) -> None:
    """What ``gql`` does: rebuild the schema from introspection, then validate against that."""
    introspection = graphql_sync(schema, get_introspection_query(descriptions=True))
    assert introspection.errors is None
    client_schema = build_client_schema(introspection.data)
    assert validate(client_schema, parse(document.read_text())) == []


def test_the_sdks_operations_are_all_here() -> None:
    assert [p.stem for p in SDK_OPERATIONS] == [
        "CreateDefaultUserWorkspace",
        "DeleteWorkspaceUser",
        "GetOrchestration",
        "UserDefaultWorkspace",
        "WorkspaceById",
    ]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ pipeline { id } }", id="unknown-root-field"),
        pytest.param("{ workspace { id owner } }", id="unknown-field"),
        pytest.param("{ workspace(where: {color: {_eq: 1}}) { id } }", id="unknown-filter"),
    ],
)
def test_what_is_not_declared_does_not_validate(schema, query: str) -> None:
    assert validate(schema, parse(query))
