"""Session fixtures: one real Airflow stack per database backend, shared by the tests.

SQLite always runs; PostgreSQL runs when 127.0.0.1:5432 answers (it does on CI here),
each session in a fresh database that is dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.stack import AirflowStack, PostgresDatabase, postgres_reachable


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
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
