"""Run once, end to end on the real stack: one DAG run of examples/hello with its arguments."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.helpers import assert_error, unique
from tests.support.stack import AirflowStack
from tests.support.tasks import logs, ready_example, runs_of, task, wait_task_status

CRI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F .*$")
TASK_FIELDS = {
    "id",
    "name",
    "workspace_id",
    "orch_id",
    "orch_sha",
    "run_type",
    "flavor",
    "schedule",
    "timeout",
    "image",
    "image_tag",
    "bind_secrets",
    "extra_env_vars",
    "auth_init",
    "exec_type",
    "reap_threshold_secs",
    "status",
    "input_data",
    "killed",
    "created_at",
    "updated_at",
    "last_runs",
}


# The session's shared hello (tests/integration/conftest.py): these tests look only at their own tasks.
@pytest.fixture
def workspace(shared_hello: tuple[int, str]) -> int:
    return shared_hello[0]


@pytest.fixture
def hello(shared_hello: tuple[int, str]) -> str:
    return shared_hello[1]


@pytest.fixture
def own_workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("tasks")}).json()["workspace_id"]


@pytest.fixture
def own_hello(admin: httpx.Client, own_workspace: int) -> str:
    """A hello of this test's own, in its own workspace: for a test that deletes it or lists all."""
    return ready_example(admin, own_workspace, "hello")


@pytest.mark.both_backends  # a run's states from queued to success or failed
class TestRunOnce:
    def test_runs_exactly_once_with_its_arguments_in_the_logs(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        args = {"greeting": "bonjour", "n": 3}
        answer = admin.post(
            "/task/run_once",
            json={"workspace_id": workspace, "orch_id": hello, "json": args, "name": "once", "debug": False},
        )
        assert answer.status_code == 201, answer.text
        task_id = answer.json()["id"]
        body = task(admin, task_id)
        assert set(body) >= TASK_FIELDS
        assert body["run_type"] == "Oneshot" and body["flavor"] == "exec_orch_oneshot"
        assert body["input_data"] == args
        assert body["extra_env_vars"]["TASK_ID"] == task_id
        done = wait_task_status(admin, task_id, {"success", "failed"}, timeout=180)
        assert done["status"] == "success", done
        runs = runs_of(admin, task_id)
        assert len(runs) == 1 and runs[0]["status"] == "success"
        assert done["last_runs"][0]["run_id"] == runs[0]["run_id"]
        lines = logs(admin, runs[0]["run_id"])
        assert all(CRI.match(line) for line in lines), lines
        assert any(
            line.endswith('stdout F hello: arguments = {"greeting": "bonjour", "n": 3}') for line in lines
        ), lines
        assert any("hello: in_task = True" in line for line in lines), lines
        assert logs(admin, runs[0]["run_id"], lines=1) == lines[-1:]
        # still exactly one run, and the run is the one the API chose
        with stack.airflow_api() as airflow:
            dag_runs = airflow.get(f"/dags/wallaroo_task_{task_id}/dagRuns").json()["dag_runs"]
        assert [r["dag_run_id"] for r in dag_runs] == [runs[0]["run_id"]]

    def test_failing_code_is_failed_with_stderr_in_the_logs(
        self, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = admin.post(
            "/task/run_once", json={"workspace_id": workspace, "orch_id": hello, "json": {"fail": True}}
        ).json()["id"]
        done = wait_task_status(admin, task_id, {"success", "failed"}, timeout=180)
        assert done["status"] == "failed"
        run = runs_of(admin, task_id)[0]
        assert run["status"] == "failure"
        assert any(
            " stderr F hello: error: failing on purpose" in line for line in logs(admin, run["run_id"])
        )

    def test_run_details_by_pod_id(self, admin: httpx.Client, workspace: int, hello: str) -> None:
        task_id = admin.post("/task/run_once", json={"workspace_id": workspace, "orch_id": hello}).json()[
            "id"
        ]
        wait_task_status(admin, task_id, {"success", "failed"}, timeout=180)
        run = runs_of(admin, task_id)[0]
        details = admin.post("/task/get_run_details", json={"task": task_id, "pod_id": run["run_id"]})
        assert details.status_code == 200 and details.json() == run


class TestTaskErrors:
    def test_other_workspaces_are_403(
        self, admin: httpx.Client, bob: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = admin.post("/task/run_once", json={"workspace_id": workspace, "orch_id": hello}).json()[
            "id"
        ]
        assert_error(bob.post("/task/get_by_id", json={"id": task_id}), 403)
        assert_error(bob.post("/task/run_once", json={"workspace_id": workspace, "orch_id": hello}), 403)
        assert_error(bob.post("/task/list_task_runs", json={"task_id": task_id}), 403)
        assert task_id not in {t["id"] for t in bob.post("/task/list", json={}).json()}


@pytest.mark.both_backends  # SQL filters and time ranges on tasks and runs
class TestListing:
    def test_list_filters_and_run_time_range(
        self, admin: httpx.Client, own_workspace: int, own_hello: str
    ) -> None:
        task_id = admin.post(
            "/task/run_once", json={"workspace_id": own_workspace, "orch_id": own_hello}
        ).json()["id"]
        wait_task_status(admin, task_id, {"success", "failed"}, timeout=180)
        sha = admin.post("/orchestration/get_by_id", json={"id": own_hello}).json()["sha"]
        for body in (
            {"orch_id": own_hello},
            {"orch_sha": sha},
            {"workspace_id": own_workspace, "killed": False},
        ):
            assert task_id in {t["id"] for t in admin.post("/task/list", json=body).json()}, body
        assert admin.post("/task/list", json={"orch_id": "no-such-orchestration"}).json() == []
        assert admin.post("/task/list", json={"workspace_id": own_workspace, "killed": True}).json() == []
        limited = admin.post("/task/list", json={"orch_id": own_hello, "run_limit": 0}).json()
        assert limited[0]["last_runs"] == []
        past = ["2000-01-01T00:00:00+00:00", "2000-01-02T00:00:00+00:00"]
        assert runs_of(admin, task_id, time_range=past) == []
        wide = ["2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"]
        assert len(runs_of(admin, task_id, time_range=wide)) == 1
        assert runs_of(admin, task_id, status="success", limit=1)[0]["status"] == "success"
