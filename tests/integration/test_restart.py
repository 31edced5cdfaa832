"""A restart of every Airflow component partway through a scheduled task loses nothing.

It restarts the session's stack, so it is marked ``restarts_stack``: the integration conftest
runs it after every other test of its backend. It runs on PostgreSQL, as deployments do;
SQLite runs the plain two-runs cron test instead.
"""

from __future__ import annotations

import pytest

from tests.support.helpers import unique
from tests.support.stack import AirflowStack
from tests.support.tasks import ready_example, runs_of, task, wait_task_status, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.restarts_stack,
    pytest.mark.parametrize("stack", ["postgres"], indirect=True, scope="session"),
]


def test_scheduled_task_goes_on_after_a_restart(stack: AirflowStack) -> None:
    with stack.client("admin") as admin:
        workspace = admin.post("/workspaces/create", json={"workspace_name": unique("restart")}).json()[
            "workspace_id"
        ]
        hello = ready_example(admin, workspace, "hello")
        task_id = admin.post(
            "/task/run_scheduled",
            json={"workspace_id": workspace, "orch_id": hello, "schedule": "*/1 * * * *", "json": {}},
        ).json()["id"]
        wait_until(lambda: any(r["status"] == "success" for r in runs_of(admin, task_id)), "a first run", 150)
        before = {r["run_id"] for r in runs_of(admin, task_id)}
    stack.stop()
    stack.start()
    with stack.client("admin") as admin:
        assert task(admin, task_id)["status"] == "started"
        wait_until(
            lambda: any(
                r["status"] == "success" and r["run_id"] not in before for r in runs_of(admin, task_id)
            ),
            "a run after the restart",
            150,
        )
        assert admin.post("/orchestration/get_by_id", json={"id": hello}).json()["status"] == "ready"
        admin.post("/task/kill", json={"id": task_id})
        wait_task_status(admin, task_id, {"killed"}, timeout=120)
