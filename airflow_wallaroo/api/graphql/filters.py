"""Hasura-style ``where`` filters (``{name: {_eq: "x"}, _and: [...]}``) applied to rows.

The rows are always ones the caller may see (fetched through the services with the
caller's workspace rules); ``where`` only narrows them, as it does in Hasura.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from airflow_wallaroo.exceptions import InvalidRequestError

T = TypeVar("T")

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "_eq": lambda value, wanted: value == wanted,
    "_neq": lambda value, wanted: value != wanted,
    "_in": lambda value, wanted: value in wanted,
    "_nin": lambda value, wanted: value not in wanted,
    "_is_null": lambda value, wanted: (value is None) == wanted,
}


def matches(row: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """True if ``row`` (column name -> value) satisfies the boolean expression ``where``."""
    if not where:
        return True
    for key, condition in where.items():
        if key == "_and":
            if not all(matches(row, part) for part in condition or []):
                return False
        elif key == "_or":
            if condition is not None and not any(matches(row, part) for part in condition):
                return False
        elif key == "_not":
            if condition is not None and matches(row, condition):
                return False
        else:
            if key not in row:
                raise InvalidRequestError(f"where: cannot filter on {key!r}")
            for operator, wanted in (condition or {}).items():
                if wanted is None and operator != "_is_null":
                    continue  # Hasura ignores a comparison with null
                if not _OPERATORS[operator](row[key], wanted):
                    return False
    return True


def keep(
    rows: Iterable[T], columns: Callable[[T], Mapping[str, Any]], where: Mapping[str, Any] | None
) -> list[T]:
    """The rows whose columns satisfy ``where``."""
    return [row for row in rows if matches(columns(row), where)]
