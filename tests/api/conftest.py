"""The in-process tier: the /v1 app under FastAPI's TestClient, on a migrated SQLite database.

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

from tests.support.stack import USERS

pytestmark = pytest.mark.inprocess


@pytest.fixture(scope="session")
def migrated_db() -> Path:
    """Airflow's metadata DB (SQLite, in the test session's AIRFLOW_HOME), ours included."""
    home = Path(os.environ["AIRFLOW_HOME"])
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run(
        [str(airflow), "db", "migrate"], capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return home / "airflow.db"


@pytest.fixture(scope="session")
def v1_app(migrated_db: Path) -> FastAPI:
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
