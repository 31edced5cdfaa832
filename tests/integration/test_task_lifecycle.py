"""Timeout, kill, pause/resume and continuous runs on the real stack, waiting for states."""

from __future__ import annotations

import re

import httpx
import psutil
import pytest

from tests.support.helpers import assert_error
from tests.support.stack import AirflowStack
from tests.support.tasks import (
    logs,
    runs_of,
    start_task,
    task,
    wait_task_status,
    wait_until,
)

# Timeout, kill, pause and continuous runs: state transitions the database can change.
pytestmark = pytest.mark.both_backends


# The session's shared hello (tests/integration/conftest.py): these tests look only at their own tasks.
@pytest.fixture
def workspace(shared_hello: tuple[int, str]) -> int:
    return shared_hello[0]


@pytest.fixture
def hello(shared_hello: tuple[int, str]) -> str:
    return shared_hello[1]


def user_pid(stack: AirflowStack, task_id: str) -> int:
    """The pid of the running user process, from the runner's own pid file."""

    def probe() -> int | None:
        files = list((stack.data_folder / "runs" / task_id).glob("*.pid"))
        return int(files[0].read_text().split()[0]) if files else None

    return wait_until(probe, f"a user process of task {task_id}", timeout=120)


class TestTimeout:
    def test_a_run_over_its_timeout_is_timed_out(
        self, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_once", workspace, hello, json={"sleep": 60}, timeout=3)
        done = wait_task_status(admin, task_id, {"success", "failed", "timed_out"}, timeout=180)
        assert done["status"] == "timed_out", done
        run = runs_of(admin, task_id)[0]
        assert run["status"] == "timed_out"
        assert runs_of(admin, task_id, status="timed_out") == [run]
        assert runs_of(admin, task_id, status="failure") == []


class TestKill:
    def test_kill_stops_the_process_deletes_logs_and_starts_nothing(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_continuously", workspace, hello, name="forever", json={"sleep": 600})
        pid = user_pid(stack, task_id)
        assert psutil.pid_exists(pid)
        run_id = runs_of(admin, task_id)[0]["run_id"]
        wait_until(lambda: any("hello: tick" in line for line in logs(admin, run_id)), "the first ticks")
        answer = admin.post("/task/kill", json={"id": task_id})
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "pending_kill" and answer.json()["killed"] is True
        killed = wait_task_status(admin, task_id, {"killed"}, timeout=120)
        assert killed["killed"] is True
        wait_until(
            lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
            f"user process {pid} to be gone",
            timeout=60,
        )
        assert logs(admin, run_id) == []
        assert runs_of(admin, task_id)[0]["status"] == "killed"
        runs_after_kill = {r["run_id"] for r in runs_of(admin, task_id)}
        listed = admin.post("/task/list", json={"workspace_id": workspace, "killed": True}).json()
        assert task_id in {t["id"] for t in listed}
        # No new run: the continuous DAG is paused for good (its DAG model says so).
        with stack.airflow_api() as airflow:
            assert airflow.get(f"/dags/wallaroo_task_{task_id}").json()["is_paused"] is True
        assert {r["run_id"] for r in runs_of(admin, task_id)} == runs_after_kill

    def test_kill_of_someone_elses_task_is_403(
        self, admin: httpx.Client, bob: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_once", workspace, hello)
        assert_error(bob.post("/task/kill", json={"id": task_id}), 403)
        assert task(admin, task_id)["killed"] is False


class TestPause:
    def test_pause_then_resume(self, admin: httpx.Client, workspace: int, hello: str) -> None:
        task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="0 0 1 1 *", json={})
        wait_task_status(admin, task_id, {"started"}, timeout=120)
        paused = admin.post("/task/pause", json={"id": task_id, "pause": True})
        assert paused.status_code == 202 and paused.json()["status"] in {"pending_pause", "paused"}
        wait_task_status(admin, task_id, {"paused"}, timeout=60)
        resumed = admin.post("/task/pause", json={"id": task_id, "pause": False})
        assert resumed.status_code == 202 and resumed.json()["status"] in {"pending_resume", "started"}
        wait_task_status(admin, task_id, {"started"}, timeout=60)


class TestContinuous:
    def test_runs_follow_each_other(self, admin: httpx.Client, workspace: int, hello: str) -> None:
        task_id = start_task(admin, "run_continuously", workspace, hello, name="loop", json={})
        finished = wait_until(
            lambda: (
                (r := [x for x in runs_of(admin, task_id) if x["status"] == "success"]) and len(r) >= 3 and r
            ),
            "three successful continuous runs",
            timeout=240,
        )
        assert len({r["run_id"] for r in finished}) == len(finished)
        assert task(admin, task_id)["run_type"] == "NetworkService"
        admin.post("/task/kill", json={"id": task_id})
        wait_task_status(admin, task_id, {"killed"}, timeout=120)

    def test_always_failing_runs_reach_crash_loop_with_growing_gaps(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_continuously", workspace, hello, name="crash", json={"fail": True})
        wait_task_status(admin, task_id, {"crash_loop"}, timeout=300)
        # Each run after a failure waits longer before the user code starts: the runner
        # logs the wait it applies, 1 s, then 2 s, then 4 s...
        dag_id = f"wallaroo_task_{task_id}"
        with stack.airflow_api() as airflow:
            runs = airflow.get(f"/dags/{dag_id}/dagRuns", params={"order_by": "start_date"}).json()[
                "dag_runs"
            ]
            waits = []
            for run in runs[:3]:
                events = airflow.get(
                    f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances/run_orchestration/logs/1",
                    headers={"Accept": "application/json"},
                ).json()["content"]
                found = [re.search(r"Backing off (\d+) s", str(e.get("event", ""))) for e in events]
                waits.append(next((int(m.group(1)) for m in found if m), 0))
        assert waits == [0, 1, 2], waits
        admin.post("/task/kill", json={"id": task_id})
        wait_task_status(admin, task_id, {"killed"}, timeout=120)
