"""Scheduled tasks, schedule errors, deleting orchestrations with live tasks, and a restart."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.support.helpers import assert_error, unique
from tests.support.stack import AirflowStack
from tests.support.tasks import ready_example, runs_of, start_task, task, wait_task_status, wait_until


# The session's shared hello (tests/integration/conftest.py): these tests look only at their own tasks.
@pytest.fixture
def workspace(shared_hello: tuple[int, str]) -> int:
    return shared_hello[0]


@pytest.fixture
def hello(shared_hello: tuple[int, str]) -> str:
    return shared_hello[1]


@pytest.fixture
def own_workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("sched")}).json()["workspace_id"]


@pytest.fixture
def own_hello(admin: httpx.Client, own_workspace: int) -> str:
    """A hello of this test's own, in its own workspace: for a test that deletes it or lists all."""
    return ready_example(admin, own_workspace, "hello")


@pytest.mark.slow
class TestScheduled:
    def test_every_minute_gives_two_successive_runs_even_after_timeouts(
        self, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="*/1 * * * *", json={"x": 1})
        # Same minutes, another task: its code outlives its timeout, each run is stopped,
        # and the schedule still goes on to the next run.
        slow_id = start_task(
            admin, "run_scheduled", workspace, hello, schedule="*/1 * * * *", json={"sleep": 120}, timeout=3
        )
        body = task(admin, task_id)
        assert body["run_type"] == "CronJob" and body["schedule"] == "*/1 * * * *"
        runs = wait_until(
            lambda: (
                (r := [x for x in runs_of(admin, task_id) if x["status"] == "success"]) and len(r) >= 2 and r
            ),
            "two successful scheduled runs",
            timeout=200,
            interval=0.5,
        )
        assert len({r["run_id"] for r in runs}) >= 2
        assert task(admin, task_id)["status"] == "started"

        timed_out = wait_until(
            lambda: (r := runs_of(admin, slow_id, status="timed_out")) and len(r) >= 2 and r,
            "two timed out scheduled runs",
            timeout=200,
            interval=0.5,
        )
        first, second = sorted(timed_out, key=lambda r: datetime.fromisoformat(r["created_at"]))[:2]
        assert first["run_id"] != second["run_id"]
        # The next run came after the first one was stopped, at the next minute.
        first_ended = datetime.fromisoformat(first["updated_at"])
        assert datetime.fromisoformat(second["created_at"]) > first_ended, (first, second)
        assert runs_of(admin, slow_id, status="failure") == []
        slow = task(admin, slow_id)
        assert slow["status"] == "started", slow  # not stuck in timed_out: the schedule is alive
        assert slow["timeout"] == 3
        for task_of_test in (task_id, slow_id):
            admin.post("/task/kill", json={"id": task_of_test})
        for task_of_test in (task_id, slow_id):
            wait_task_status(admin, task_of_test, {"killed"}, timeout=120)


class TestScheduleError:
    def test_a_spec_that_fails_to_import_shows_schedule_error(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="0 0 1 1 *", json={})
        wait_task_status(admin, task_id, {"started"}, timeout=120)
        spec = next((stack.data_folder / "specs").rglob(f"{task_id}.json"))
        spec.write_text('{"kind": "run_scheduled", "broken": ')
        with stack.airflow_api() as airflow:  # ask for the reparse the way an operator would
            airflow.put(f"/parseDagFile/{_file_token(airflow, task_id)}")
        broken = wait_task_status(admin, task_id, {"schedule_error"}, timeout=120)
        assert broken["killed"] is False

    def test_other_tasks_of_the_shard_keep_working(
        self, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_once", workspace, hello, json={})
        assert wait_task_status(admin, task_id, {"success", "failed"}, timeout=180)["status"] == "success"


def _file_token(airflow: httpx.Client, task_id: str) -> str:
    return airflow.get(f"/dags/wallaroo_task_{task_id}/details").json()["file_token"]


@pytest.mark.both_backends  # kills on delete, SQL filters on tasks
class TestDeleteWithTasks:
    def test_live_tasks_refuse_an_unconfirmed_delete_and_are_killed_by_a_confirmed_one(
        self, admin: httpx.Client, own_workspace: int, own_hello: str
    ) -> None:
        task_id = start_task(admin, "run_scheduled", own_workspace, own_hello, schedule="0 0 1 1 *", json={})
        wait_task_status(admin, task_id, {"started"}, timeout=120)
        refused = admin.post("/orchestration/delete_orchestrations", json={"orchestrations": [own_hello]})
        assert_error(refused, 409, task_id)
        assert admin.post("/orchestration/get_by_id", json={"id": own_hello}).status_code == 200
        done = admin.post(
            "/orchestration/delete_orchestrations",
            json={"orchestrations": [own_hello], "confirm_delete": True},
        )
        assert done.status_code == 200 and done.json()["deleted"] == [own_hello]
        assert isinstance(done.json()["bytes"], int)  # 0 when another orchestration shares the archive
        assert wait_task_status(admin, task_id, {"killed"}, timeout=120)["killed"] is True

    def test_list_all_carries_tasks_and_filters_by_them(
        self, admin: httpx.Client, own_workspace: int, own_hello: str
    ) -> None:
        task_id = start_task(admin, "run_once", own_workspace, own_hello, json={})
        wait_task_status(admin, task_id, {"success"}, timeout=180)
        found = admin.post("/orchestration/list_all", json={"workspace_ids": [own_workspace]}).json()[
            "orchestrations"
        ]
        mine = next(o for o in found if o["orchestration"]["id"] == own_hello)
        assert [t["id"] for t in mine["tasks"]] == [task_id]
        by_status = admin.post(
            "/orchestration/list_all", json={"workspace_ids": [own_workspace], "task_run_status": ["success"]}
        ).json()
        assert own_hello in {o["orchestration"]["id"] for o in by_status["orchestrations"]}
        by_failure = admin.post(
            "/orchestration/list_all", json={"workspace_ids": [own_workspace], "task_run_status": ["failure"]}
        ).json()
        assert own_hello not in {o["orchestration"]["id"] for o in by_failure["orchestrations"]}
        assert admin.post(
            "/task/get_tasks_by_orch_sha", json={"sha": mine["orchestration"]["sha"]}
        ).json() == {"ids": [task_id]}
