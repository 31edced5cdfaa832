"""Page facts of list answers, in headers only, so every body keeps the contract's shape.

``X-Total-Count``: how many items the whole list holds. ``Link``: the ``first``, ``prev``,
``next`` and ``last`` pages. The endpoints are POSTs that take ``limit`` and ``offset`` in
the body, so each link names the same endpoint with the page's window as link parameters:
``</v1/api/task/list>; rel="next"; limit=100; offset=100``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request, Response

from airflow_wallaroo.services.paging import Page

T = TypeVar("T")


def paged(request: Request, response: Response, page: Page[T]) -> list[T]:
    """Set the page's headers on the answer; return its items."""
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = link_header(request.url.path, page)
    return page.items


def link_header(path: str, page: Page[Any]) -> str:
    limit, offset, total = page.window.limit, page.window.offset, page.total

    def link(rel: str, at: int) -> str:
        return f'<{path}>; rel="{rel}"; limit={limit}; offset={at}'

    links = [link("first", 0)]
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    if offset + limit < total:
        links.append(link("next", offset + limit))
    links.append(link("last", ((total - 1) // limit) * limit if total else 0))
    return ", ".join(links)
