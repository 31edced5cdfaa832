"""Pages of list answers: one window (limit, offset) and total for every list endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.settings import PageLimits

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Window:
    """Which slice of a list the caller asked for."""

    limit: int
    offset: int = 0


def window(limits: PageLimits, limit: int | None, offset: int | None) -> Window:
    """The caller's window, defaults filled; out of bounds is a 400 naming the bound.

    ``null`` (or absent) means the default: the SDK sends no paging fields, and gets the
    first ``list_page_size`` items.
    """
    size = limits.size if limit is None else limit
    if size < 1:
        raise InvalidRequestError("limit: must be at least 1")
    if size > limits.max:
        raise InvalidRequestError(
            f"limit: must be at most {limits.max} ([wallaroo] list_page_max); page with offset"
        )
    start = 0 if offset is None else offset
    if start < 0:
        raise InvalidRequestError("offset: must be 0 or more")
    return Window(limit=size, offset=start)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with how many items the whole list holds."""

    items: list[T]
    total: int
    window: Window

    def map(self, convert: Callable[[list[T]], list[U]]) -> Page[U]:
        return Page(items=convert(self.items), total=self.total, window=self.window)


def fetch(session: Session, query: Select[Any], at: Window) -> tuple[list[Any], int]:
    """The window's rows of an ordered query (one row per result), and the query's row count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if at.offset >= total:
        return [], total
    rows = list(session.execute(query.limit(at.limit).offset(at.offset)))
    return [row[0] if len(row) == 1 else row for row in rows], total


def slice_of(items: Sequence[T], at: Window) -> Page[T]:
    """A page of a list already in memory (small lists: a workspace's members)."""
    return Page(items=list(items[at.offset : at.offset + at.limit]), total=len(items), window=at)
