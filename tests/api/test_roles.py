"""Airflow's roles hold on every route, as Airflow's own API applies them.

The Simple auth manager's roles: ``viewer`` may read, ``user``, ``op`` and ``admin`` may also
trigger and edit DAGs. Each call is made with a body that passes validation; a role that is
allowed may still be refused for other reasons (404 for an id that does not exist), never
for its role.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import client_for
from tests.support.archives import zip_example
from tests.support.helpers import assert_error

MISSING = "00000000-0000-4000-8000-000000000000"
ROLE_REFUSAL = "your Airflow role does not allow you to"

#: (path, JSON body or None for the upload, needs more than read access)
ENDPOINTS = [
    ("/workspaces/create", {"workspace_name": "roles-x"}, True),
    ("/workspaces/list", {}, False),
    ("/workspaces/add_user", {"workspace_id": 999999, "user_id": "bob"}, True),
    ("/workspaces/remove_user", {"workspace_id": 999999, "user_id": "bob"}, True),
    ("/workspaces/list_users", {"workspace_id": 999999}, False),
    ("/orchestration/upload", None, True),
    ("/orchestration/list", {"workspace_id": 999999}, False),
    ("/orchestration/get_by_id", {"id": MISSING}, False),
    ("/orchestration/list_all", {}, False),
    ("/orchestration/delete_orchestrations", {"orchestrations": [MISSING]}, True),
    ("/task/run_once", {"workspace_id": 999999, "orch_id": MISSING, "json": {}}, True),
    (
        "/task/run_scheduled",
        {"workspace_id": 999999, "orch_id": MISSING, "schedule": "* * * * *", "json": {}},
        True,
    ),
    ("/task/run_continuously", {"workspace_id": 999999, "orch_id": MISSING, "name": "c", "json": {}}, True),
    ("/task/run_now", {"id": MISSING}, True),
    ("/task/get_by_id", {"id": MISSING}, False),
    ("/task/list", {}, False),
    ("/task/get_tasks_by_orch_sha", {"sha": "0" * 64}, False),
    ("/task/list_task_runs", {"task_id": MISSING}, False),
    ("/task/get_run_details", {"task": MISSING, "pod_id": MISSING}, False),
    ("/task/get_logs_for_run", {"id": MISSING}, False),
    ("/task/kill", {"id": MISSING}, True),
    ("/task/pause", {"id": MISSING, "pause": True}, True),
]


@pytest.fixture(params=["admin", "op", "user", "viewer"])
def role_client(request: pytest.FixtureRequest, v1_app: FastAPI) -> Iterator[tuple[str, TestClient]]:
    with client_for(v1_app, request.param) as client:
        yield request.param, client


def call(client: TestClient, path: str, body: dict[str, object] | None):  # type: ignore[no-untyped-def]
    if body is None:
        return client.post(
            path,
            files={"file": ("h.zip", zip_example("hello"), "application/octet-stream")},
            data={"metadata": '{"workspace_id": 999999}'},
        )
    return client.post(path, json=body)


@pytest.mark.parametrize(("path", "body", "writes"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_each_role_on_each_endpoint(
    role_client: tuple[str, TestClient], path: str, body: dict[str, object] | None, writes: bool
) -> None:
    role, client = role_client
    answer = call(client, path, body)
    if writes and role == "viewer":
        assert_error(answer, 403, ROLE_REFUSAL)
    else:
        assert ROLE_REFUSAL not in answer.text, (role, path, answer.text)
        assert answer.status_code < 500, answer.text


def test_a_viewer_may_read_what_is_shared_with_them(admin: TestClient, v1_app: FastAPI) -> None:
    workspace = admin.post("/workspaces/create", json={"workspace_name": "roles-shared"}).json()[
        "workspace_id"
    ]
    assert (
        admin.post("/workspaces/add_user", json={"workspace_id": workspace, "user_id": "viewer"}).status_code
        == 200
    )
    with client_for(v1_app, "viewer") as viewer:
        users = viewer.post("/workspaces/list_users", json={"workspace_id": workspace})
        assert users.status_code == 200 and {u["user_id"] for u in users.json()["users"]} == {
            "admin",
            "viewer",
        }
        # As a collaborator she still may not change anything: her Airflow role says so.
        assert_error(
            viewer.post("/workspaces/remove_user", json={"workspace_id": workspace, "user_id": "admin"}), 403
        )


def test_graphql_mutations_need_edit_access(v1_app: FastAPI) -> None:
    mutation = {"query": 'mutation { insert_workspace_one(object: {name: "roles-gql"}) { id } }'}
    query = {"query": "query { workspace { id name } }"}
    with TestClient(v1_app, base_url="http://testserver/v1", raise_server_exceptions=False) as client:
        viewer = {"Authorization": client_for(v1_app, "viewer").headers["Authorization"]}
        assert client.post("/graphql", json=query, headers=viewer).status_code == 200
        assert_error(client.post("/graphql", json=mutation, headers=viewer), 403, ROLE_REFUSAL)
