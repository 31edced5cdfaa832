"""Session fixtures: one real Airflow stack per database backend, shared by the tests.

Every test that uses ``stack`` runs on SQLite. A test, class or module marked
``both_backends`` runs on PostgreSQL too, in a fresh database dropped afterwards (when
127.0.0.1:5432 answers; it does on CI here): mark what the database can change
(concurrency, task state transitions and recovery, kill, SQL-heavy reads, restarts).
Each backend's stack starts once per session: the stack is parametrized at session scope,
so pytest groups the tests by backend and shares the stack within each group.

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

from tests.support.stack import AirflowStack, PostgresDatabase, postgres_reachable

BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "stack" not in metafunc.fixturenames:
        return
    if any("stack" in _argnames(m) for m in metafunc.definition.iter_markers("parametrize")):
        return  # the test chose its backends itself
    backends: list[object] = ["sqlite"]
    if metafunc.definition.get_closest_marker("both_backends") is not None:
        backends.append(
            pytest.param(
                "postgres",
                marks=pytest.mark.skipif(
                    not postgres_reachable(), reason="PostgreSQL is not reachable on 127.0.0.1:5432"
                ),
            )
        )
    metafunc.parametrize("stack", backends, indirect=True, scope="session")


def _argnames(marker: pytest.Mark) -> list[str]:
    names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
    if isinstance(names, str):
        return [n.strip() for n in names.split(",")]
    return list(names)


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
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    """A running Airflow with our plugin, on the backend named by the param."""
    backend: str = request.param
    database = None
    conn = None
    if backend == "postgres":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        database = PostgresDatabase()
        conn = database.create()
    stack = AirflowStack(
        home=tmp_path_factory.mktemp(f"airflow-{backend}"), backend=backend, sql_alchemy_conn=conn
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if database is not None:
            database.drop()


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
