"""Hasura-style ``where`` expressions, evaluated on rows the caller may already see."""

from __future__ import annotations

import pytest

from airflow_wallaroo.api.graphql.filters import keep, matches
from airflow_wallaroo.exceptions import InvalidRequestError

ROW = {"user_id": "alice", "workspace_id": 7, "user_type": "owner"}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(None, True, id="none"),
        pytest.param({}, True, id="empty"),
        pytest.param({"user_id": {"_eq": "alice"}}, True, id="eq"),
        pytest.param({"user_id": {"_eq": "bob"}}, False, id="eq-miss"),
        pytest.param({"user_id": {"_eq": None}}, True, id="eq-null-is-ignored"),
        pytest.param({"workspace_id": {"_in": [1, 7]}}, True, id="in"),
        pytest.param({"workspace_id": {"_nin": [1, 7]}}, False, id="nin"),
        pytest.param({"user_type": {"_neq": "owner"}}, False, id="neq"),
        pytest.param({"user_type": {"_is_null": True}}, False, id="is-null"),
        pytest.param(
            {"user_id": {"_eq": "alice"}, "_and": {"workspace_id": {"_eq": 7}}}, True, id="and-object"
        ),
        pytest.param(
            {"_and": [{"user_id": {"_eq": "alice"}}, {"workspace_id": {"_eq": 8}}]}, False, id="and-list"
        ),
        pytest.param({"_or": [{"user_id": {"_eq": "bob"}}, {"workspace_id": {"_eq": 7}}]}, True, id="or"),
        pytest.param({"_not": {"user_id": {"_eq": "alice"}}}, False, id="not"),
    ],
)
def test_matches(where: dict | None, expected: bool) -> None:
    # GraphQL coerces a single object given for a list (``_and: {...}``) into a list of one.
    if where and isinstance(where.get("_and"), dict):
        where = {**where, "_and": [where["_and"]]}
    assert matches(ROW, where) is expected


def test_an_unknown_column_is_an_error_naming_it() -> None:
    with pytest.raises(InvalidRequestError, match="'color'"):
        matches(ROW, {"color": {"_eq": "red"}})


def test_keep_filters_rows() -> None:
    rows = [ROW, {**ROW, "user_id": "bob"}]
    assert keep(rows, lambda r: r, {"user_id": {"_eq": "bob"}}) == [rows[1]]
