"""``/v1/api/task/*`` in-process: what a task request can get wrong, without a scheduler.

Moved from tests/integration/test_tasks_run_once.py and test_task_lifecycle.py. An
orchestration uploaded here stays ``pending_packaging``, which is all a 409 for "not
ready" needs; running tasks, their states and their runs stay in the integration tier.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload_ok


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("tasks")}).json()["workspace_id"]


class TestTaskErrors:
    def test_orchestration_not_ready_is_409(self, admin: httpx.Client, workspace: int) -> None:
        broken = upload_ok(
            admin, zip_files({"main.py": "", "requirements.txt": "wallaroo-nope-pkg==0.0.1\n"}), workspace
        )
        answer = admin.post("/task/run_once", json={"workspace_id": workspace, "orch_id": broken})
        assert_error(answer, 409, "orch_id")

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            pytest.param("/task/run_once", {"orch_id": "x"}, "workspace_id", id="run-once-missing"),
            pytest.param(
                "/task/run_once",
                {"workspace_id": 1, "orch_id": "x", "json": [1]},
                "json",
                id="json-not-object",
            ),
            pytest.param(
                "/task/run_scheduled", {"workspace_id": 1, "orch_id": "x"}, "schedule", id="no-schedule"
            ),
            pytest.param("/task/list_task_runs", {}, "task_id", id="runs-missing"),
            pytest.param(
                "/task/list_task_runs", {"task_id": "x", "status": "weird"}, "status", id="runs-status"
            ),
            pytest.param("/task/get_logs_for_run", {"id": "x", "lines": 0}, "lines", id="logs-lines"),
        ],
    )
    def test_bad_bodies_are_400(self, admin: httpx.Client, path: str, body: dict, field: str) -> None:
        assert_error(admin.post(path, json=body), 400, field)

    def test_bad_cron_is_400_naming_schedule(self, admin: httpx.Client, workspace: int) -> None:
        # The schedule is checked before the orchestration is looked up: a pending one will do.
        pending = upload_ok(admin, zip_files({"main.py": ""}), workspace)
        body = {"workspace_id": workspace, "orch_id": pending, "schedule": "every minute", "json": {}}
        assert_error(admin.post("/task/run_scheduled", json=body), 400, "schedule")

    def test_unknown_ids_are_404(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/task/get_by_id", json={"id": "00000000-0000-4000-8000-000000000000"}), 404)
        assert_error(
            admin.post("/task/get_logs_for_run", json={"id": "00000000-0000-4000-8000-000000000000"}), 404
        )

    def test_without_a_token_is_401(self, anonymous: httpx.Client) -> None:
        for path in (
            "/task/run_once",
            "/task/get_by_id",
            "/task/list",
            "/task/list_task_runs",
            "/task/get_logs_for_run",
        ):
            assert_error(anonymous.post(path, json={}), 401)


class TestPause:
    def test_pause_needs_the_pause_field(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/task/pause", json={"id": "x"}), 400, "pause")
