"""The integration tier: clients on the session's shared ``stack`` and the order of the tests.

The ``stack`` fixture itself (SQLite by default, PostgreSQL too for ``both_backends``) is in
tests/support/stack_fixtures.py, registered by tests/conftest.py so that the compat tier
shares the same SQLite stack.

Tests that need no shared stack (modules with stacks of their own, the pod launcher's
venvs) run before the shared stacks start, so that no shared stack idles while they run. A test marked
``restarts_stack`` restarts the session's stack: it runs after every other test of its
backend, whatever its file is called, so no other test sees the restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.helpers import unique
from tests.support.stack import AirflowStack
from tests.support.tasks import ready_example


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by backend
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)
    _own_stacks_first(items)
    _restarts_last(items)


def _own_stacks_first(items: list[pytest.Item]) -> None:
    """Put the integration tests that do not use the shared stack before its first test."""
    here = Path(__file__).parent

    def shared(item: pytest.Item) -> bool:
        return "stack" in getattr(item, "fixturenames", ())

    first = next((n for n, item in enumerate(items) if shared(item)), None)
    if first is None:
        return
    own = [i for i in items[first:] if Path(str(i.fspath)).is_relative_to(here) and not shared(i)]
    for item in own:
        items.remove(item)
    items[first:first] = own


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("stack") if callspec is not None else None


def _restarts_last(items: list[pytest.Item]) -> None:
    """Move each ``restarts_stack`` test to just after the last other test of its backend."""
    restarting = [i for i in items if i.get_closest_marker("restarts_stack") is not None]
    for item in restarting:
        items.remove(item)
        backend = _backend_of(item)
        last = max(
            (n for n, other in enumerate(items) if _backend_of(other) == backend), default=len(items) - 1
        )
        items.insert(last + 1, item)


@pytest.fixture(scope="session")
def shared_hello(stack: AirflowStack) -> tuple[int, str]:
    """A workspace of admin's with a ready ``examples/hello``, packaged once per stack.

    For tests that only run tasks of it and look at their own tasks: each packaging is a
    DAG run, and sharing one saves it per test. A test that deletes the orchestration,
    adds members, or lists everything in its workspace makes its own instead.
    """
    with stack.client("admin") as admin:
        answer = admin.post("/workspaces/create", json={"workspace_name": unique("shared")})
        assert answer.status_code == 200, answer.text
        workspace: int = answer.json()["workspace_id"]
        return workspace, ready_example(admin, workspace, "hello")


@pytest.fixture
def admin(stack: AirflowStack) -> Iterator[httpx.Client]:
    with stack.client("admin") as client:
        yield client


@pytest.fixture
def alice(stack: AirflowStack) -> Iterator[httpx.Client]:
    with stack.client("alice") as client:
        yield client


@pytest.fixture
def bob(stack: AirflowStack) -> Iterator[httpx.Client]:
    with stack.client("bob") as client:
        yield client


@pytest.fixture
def anonymous(stack: AirflowStack) -> Iterator[httpx.Client]:
    with stack.client(None) as client:
        yield client
