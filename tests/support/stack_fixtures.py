"""The session's shared Airflow stacks, one per database backend, for every tier that needs one.

Every test that uses ``stack`` runs on SQLite. A test, class or module marked
``both_backends`` runs on PostgreSQL too, in a fresh database dropped afterwards (when
127.0.0.1:5432 answers; it does on CI here): mark what the database can change
(concurrency, task state transitions and recovery, kill, SQL-heavy reads, restarts).
Each backend's stack starts once per session: the stack is parametrized at session scope,
so pytest groups the tests by backend and shares the stack within each group (the compat
tier's tests included). tests/conftest.py registers this module's hook and fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

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
