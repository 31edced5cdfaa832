"""The in-process tier: the /v1 app under FastAPI's TestClient, on a migrated SQLite database.

Tests, classes or modules marked ``both_backends`` run on a migrated PostgreSQL database as
well (a fresh one, dropped afterwards, when 127.0.0.1:5432 answers): the SQL-heavy routes,
so that the dialect is covered without a scheduler. The database is a session fixture
parametrized like the integration tier's stack, so each backend is migrated once.

No scheduler, dag-processor or api-server process: the app is mounted at ``/v1`` inside a
bare parent app, as Airflow's api-server mounts it, and called through the real
authentication path with tokens the Simple auth manager signs. Everything a request can
get wrong (400, 401, 403, 404, 409, 413) is pinned here, fast; the stack tests keep what
needs Airflow's other components.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.stack import USERS, PostgresDatabase, postgres_reachable

pytestmark = pytest.mark.inprocess
CONN = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" not in metafunc.fixturenames:
        return
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
    metafunc.parametrize("database", backends, indirect=True, scope="session")


def migrate(conn: str) -> None:
    """``airflow db migrate`` on ``conn``: Airflow's tables and ours."""
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run(
        [str(airflow), "db", "migrate"],
        env={**os.environ, CONN: conn},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def use_database(conn: str) -> None:
    """Point this process's Airflow ORM (and so the in-process app) at ``conn``."""
    from airflow import settings

    os.environ[CONN] = conn
    settings.configure_vars()  # type: ignore[no-untyped-call]
    settings.reconfigure_orm()  # type: ignore[no-untyped-call]


_migrated_sqlite: list[str] = []


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The backend of the metadata DB the app runs on, migrated; SQLite in AIRFLOW_HOME by default."""
    backend: str = getattr(request, "param", "sqlite")
    sqlite_conn = os.environ[CONN]
    if backend == "sqlite":
        if not _migrated_sqlite:
            migrate(sqlite_conn)
            _migrated_sqlite.append(sqlite_conn)
        yield backend
        return
    postgres = PostgresDatabase()
    conn = postgres.create()
    try:
        migrate(conn)
        use_database(conn)
        yield backend
    finally:
        use_database(sqlite_conn)
        postgres.drop()


@pytest.fixture(scope="session")
def v1_app(database: str) -> FastAPI:
    from airflow.api_fastapi.app import init_auth_manager

    from airflow_wallaroo.api.app import create_app

    init_auth_manager()
    parent = FastAPI()
    parent.mount("/v1", create_app(housekeeping=False))
    return parent


def token_for(username: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    role = dict(u.split(":") for u in os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(","))[
        username
    ]
    return str(get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=username, role=role)))


def client_for(app: FastAPI, username: str | None) -> TestClient:
    headers = {"Authorization": f"Bearer {token_for(username)}"} if username else {}
    return TestClient(
        app, base_url="http://testserver/v1/api", headers=headers, raise_server_exceptions=False
    )


@pytest.fixture
def admin(v1_app: FastAPI) -> Iterator[TestClient]:
    with client_for(v1_app, "admin") as client:
        yield client


@pytest.fixture
def alice(v1_app: FastAPI) -> Iterator[TestClient]:
    with client_for(v1_app, "alice") as client:
        yield client


@pytest.fixture
def bob(v1_app: FastAPI) -> Iterator[TestClient]:
    with client_for(v1_app, "bob") as client:
        yield client


@pytest.fixture
def anonymous(v1_app: FastAPI) -> Iterator[TestClient]:
    with client_for(v1_app, None) as client:
        yield client


@pytest.fixture
def v1(v1_app: FastAPI) -> Iterator[TestClient]:
    """No token, rooted at ``/v1`` (health, docs, OpenAPI)."""
    with TestClient(v1_app, base_url="http://testserver/v1", raise_server_exceptions=False) as client:
        yield client


assert set(USERS) >= {"admin", "alice", "bob"}
