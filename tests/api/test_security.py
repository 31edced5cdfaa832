"""Tokens of users who are gone, reserved environment names, ids the caller may not see."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.helpers import assert_error, unique


def test_a_token_of_a_user_removed_from_the_list_is_refused(v1_app: FastAPI) -> None:
    """Observed: a removed user's token worked on /v1 until it expired (24 h)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="gone", role="admin"))
    with TestClient(v1_app, base_url="http://testserver/v1/api", raise_server_exceptions=False) as client:
        answer = client.post("/workspaces/list", json={}, headers={"Authorization": f"Bearer {token}"})
    assert_error(answer, 401, "'gone' no longer exists")


@pytest.mark.parametrize(
    "name",
    [
        "PATH",
        "LD_PRELOAD",
        "WALLAROO_TASK_ID",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN",
        "PYTHONPATH",
        "HOME",
        "ld_library_path",
    ],
)
def test_reserved_environment_names_are_refused(admin: TestClient, name: str) -> None:
    """Observed: extra_env_vars accepted PATH, LD_PRELOAD, WALLAROO_TASK_ID and AIRFLOW__*."""
    workspace = admin.post("/workspaces/create", json={"workspace_name": unique("env")}).json()[
        "workspace_id"
    ]
    body = {"workspace_id": workspace, "orch_id": "x", "json": {}, "extra_env_vars": {name: "v"}}
    # Validated before the orchestration is looked up: the name alone is the error.
    answer = admin.post("/task/run_once", json=body)
    assert_error(answer, 400, "extra_env_vars", name)
