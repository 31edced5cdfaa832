"""Task state has one truth: what Airflow's UI, CLI and REST API do to a task's DAG shows in
``/v1/api``, a killed task stays killed, and a platform crash never re-runs user code.

Each test reproduces an observed defect (issue 10); the Airflow side is driven the way a user
would drive it: Airflow's REST API with a user's token, and the ``airflow`` CLI from a plain
shell that has only ``AIRFLOW_HOME``.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import httpx
import psutil
import pytest

from airflow_wallaroo.runners.attempts import CUT_OFF_NOTE
from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack
from tests.support.tasks import (
    logs,
    ready_example,
    runs_of,
    start_task,
    task,
    wait_task_status,
    wait_until,
)

# State transitions, kill and recovery: the database can change them.
pytestmark = pytest.mark.both_backends


# The session's shared hello (tests/integration/conftest.py): these tests look only at their own tasks.
@pytest.fixture
def workspace(shared_hello: tuple[int, str]) -> int:
    return shared_hello[0]


@pytest.fixture
def hello(shared_hello: tuple[int, str]) -> str:
    return shared_hello[1]


@pytest.fixture
def own_workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("state")}).json()["workspace_id"]


@pytest.fixture
def own_hello(admin: httpx.Client, own_workspace: int) -> str:
    """A hello of this test's own, in its own workspace: for a test that deletes it or lists all."""
    return ready_example(admin, own_workspace, "hello")


def dag_id(task_id: str) -> str:
    return f"wallaroo_task_{task_id}"


def user_pid(stack: AirflowStack, task_id: str) -> int:
    """The pid of the running user process, from the runner's own pid file."""

    def probe() -> int | None:
        files = list((stack.data_folder / "runs" / task_id).glob("*.pid"))
        return int(files[0].read_text().split()[0]) if files else None

    pid: int = wait_until(probe, f"a user process of task {task_id}", timeout=180)
    return pid


def first_tick(admin: httpx.Client, task_id: str) -> None:
    """Wait until the user code has visibly started (its first tick is in the run's log)."""
    run_id = wait_until(lambda: (r := runs_of(admin, task_id)) and r[0]["run_id"], "a run", timeout=180)
    wait_until(
        lambda: any("hello: tick 1" in line for line in logs(admin, run_id)), "the first tick", timeout=120
    )


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class TestKilledStaysKilled:
    def test_nothing_done_in_airflow_brings_it_back(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        """Observed: unpausing a killed task's DAG and a reconcile started new runs every minute."""
        task_id = start_task(admin, "run_continuously", workspace, hello, name="undead", json={})
        wait_until(lambda: runs_of(admin, task_id), "a first run", timeout=180)
        assert admin.post("/task/kill", json={"id": task_id}).status_code == 202
        wait_task_status(admin, task_id, {"killed"}, timeout=120)
        with stack.airflow_api() as airflow:
            details = wait_until(
                lambda: (
                    (d := airflow.get(f"/dags/{dag_id(task_id)}/details").json())["allowed_run_types"] and d
                ),
                "the killed DAG to be parsed",
                timeout=60,
            )
            assert details["allowed_run_types"] == ["scheduled"]
            assert airflow.patch(f"/dags/{dag_id(task_id)}", json={"is_paused": False}).status_code == 200
            refused = airflow.post(f"/dags/{dag_id(task_id)}/dagRuns", json={"logical_date": None})
            assert refused.status_code == 400 and "does not allow manual runs" in refused.text
        cli = stack.shell("airflow", "dags", "trigger", dag_id(task_id))
        assert cli.returncode != 0 and "does not allow manual runs" in cli.stdout + cli.stderr
        reconciled = stack.shell("airflow-wallaroo", "reconcile")
        assert reconciled.returncode == 0, reconciled.stderr
        spec = stack.spec(task_id)
        assert spec["killed"] is True and "api_url" not in spec
        before = {r["run_id"] for r in runs_of(admin, task_id)}
        time.sleep(10)  # a continuous DAG free to run would have started runs by now
        assert {r["run_id"] for r in runs_of(admin, task_id)} == before
        assert task(admin, task_id)["status"] == "killed"
        again = admin.post("/task/kill", json={"id": task_id})
        assert again.status_code == 202 and again.json()["status"] == "killed"


class TestPause:
    def test_a_pause_sent_before_the_dag_exists_is_applied(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        """Observed: a pause right after run_scheduled was lost; the task ran on schedule."""
        task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="* * * * *", json={})
        answer = admin.post("/task/pause", json={"id": task_id, "pause": True})
        assert answer.status_code == 202 and answer.json()["status"] in {"pending_pause", "paused"}
        wait_task_status(admin, task_id, {"paused"}, timeout=30)
        with stack.airflow_api() as airflow:
            assert airflow.get(f"/dags/{dag_id(task_id)}").json()["is_paused"] is True
        assert stack.spec(task_id)["paused"] is True

    def test_pause_and_unpause_in_airflow_show_in_the_api(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        """Observed: after a pause or unpause in Airflow the API stayed pending_* for good."""
        task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="0 0 1 1 *", json={})
        wait_task_status(admin, task_id, {"started"}, timeout=120)
        with stack.airflow_api() as airflow:
            assert airflow.patch(f"/dags/{dag_id(task_id)}", json={"is_paused": True}).status_code == 200
        wait_task_status(admin, task_id, {"paused"}, timeout=10)
        unpaused = stack.shell("airflow", "dags", "unpause", dag_id(task_id))
        assert unpaused.returncode == 0, unpaused.stderr
        wait_task_status(admin, task_id, {"started"}, timeout=10)
        resumed_by_api = admin.post("/task/pause", json={"id": task_id, "pause": True})
        assert resumed_by_api.json()["status"] == "paused"  # the DAG exists: applied at once

    def test_a_finished_run_once_task_cannot_be_paused_and_is_not_live(
        self, admin: httpx.Client, own_workspace: int, own_hello: str
    ) -> None:
        """Observed: pausing it turned success into paused, and delete then counted it as live."""
        task_id = start_task(admin, "run_once", own_workspace, own_hello, json={})
        wait_task_status(admin, task_id, {"success"}, timeout=180)
        assert_error(admin.post("/task/pause", json={"id": task_id, "pause": True}), 409, task_id, "success")
        assert task(admin, task_id)["status"] == "success"
        deleted = admin.post("/orchestration/delete_orchestrations", json={"orchestrations": [own_hello]})
        assert deleted.status_code == 200, deleted.text


class TestTriggeredInAirflow:
    def test_a_run_once_dag_runs_again_with_its_arguments(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        """Observed: Trigger in the UI said '409 ... Unique constraint violation'; the CLI a traceback."""
        task_id = start_task(admin, "run_once", workspace, hello, json={"from": "api"})
        wait_task_status(admin, task_id, {"success"}, timeout=180)
        with stack.airflow_api() as airflow:
            triggered = airflow.post(f"/dags/{dag_id(task_id)}/dagRuns", json={"logical_date": None})
        assert triggered.status_code == 200, triggered.text
        cli = stack.shell("airflow", "dags", "trigger", dag_id(task_id))
        assert cli.returncode == 0 and "Traceback" not in cli.stderr, cli.stderr
        done = wait_until(
            lambda: len(r := runs_of(admin, task_id)) == 3 and all(x["status"] == "success" for x in r) and r,
            "the two manual runs to succeed",
            timeout=180,
        )
        assert triggered.json()["dag_run_id"] in {r["run_id"] for r in done}
        for run in done:
            assert uuid.UUID(run["run_id"])
            assert any('hello: arguments = {"from": "api"}' in line for line in logs(admin, run["run_id"]))


class TestInterruptedRuns:
    def test_a_run_whose_task_process_died_ends_failed_and_is_not_run_again(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_once", workspace, hello, json={"sleep": 120})
        pid = user_pid(stack, task_id)
        first_tick(admin, task_id)
        task_process = psutil.Process(pid).parent()
        assert task_process is not None
        os.kill(task_process.pid, signal.SIGKILL)
        wait_until(lambda: gone(pid), f"user process {pid} to die with its task process", timeout=30)
        wait_task_status(admin, task_id, {"failed"}, timeout=180)
        (run,) = runs_of(admin, task_id)
        lines = logs(admin, run["run_id"])
        assert sum("hello: in_task" in line for line in lines) == 1, lines
        assert lines[-1].endswith(CUT_OFF_NOTE)

    def test_a_run_orphaned_by_a_killed_scheduler_is_not_run_again(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        """Observed: after kill -9 of the scheduler, try 2 ran the user code again from the start."""
        task_id = start_task(admin, "run_once", workspace, hello, json={"sleep": 240})
        pid = user_pid(stack, task_id)
        first_tick(admin, task_id)
        os.kill(stack.component("scheduler").pid, signal.SIGKILL)
        # The supervisor restarts the scheduler; Airflow resets the orphaned task as try 2.
        wait_task_status(admin, task_id, {"failed"}, timeout=240)
        wait_until(lambda: gone(pid), f"user process {pid} to be stopped", timeout=60)
        (run,) = runs_of(admin, task_id)
        lines = logs(admin, run["run_id"])
        assert sum("hello: in_task" in line for line in lines) == 1, lines
        assert any("this run was interrupted" in line for line in lines), lines[-5:]


OUTPUT_PROGRAM = """
import sys, time
sys.stdout.write("one\\ntwo\\n")
sys.stdout.flush()
for i in range(300):
    print(f"line {i}", file=sys.stdout if i % 2 == 0 else sys.stderr, flush=True)
print("x" * (1024 * 1024), flush=True)
print(f"stamp {time.time():.6f}", flush=True)
time.sleep(8)
sys.stdout.write("tail without newline")
"""


class TestOutput:
    def test_lines_reach_the_log_at_once_and_in_order(self, admin: httpx.Client, workspace: int) -> None:
        """Observed: the second of two lines in one write waited for the next output, and a
        stderr line came before a stdout line flushed earlier."""
        archive = zip_files({"main.py": OUTPUT_PROGRAM})
        orchestration_id = upload_ok(admin, archive, workspace, name=unique("out"))
        assert wait_for_status(admin, orchestration_id, {"ready", "error"}, timeout=300)["status"] == "ready"
        task_id = start_task(admin, "run_once", workspace, orchestration_id, json={})
        run_id = wait_until(lambda: (r := runs_of(admin, task_id)) and r[0]["run_id"], "the run", timeout=180)
        stamped = wait_until(
            lambda: next((line for line in logs(admin, run_id) if " stamp " in line), None),
            "the stamped line while the run sleeps",
            timeout=60,
            interval=0.2,
        )
        assert task(admin, task_id)["status"] == "started"  # seen while the program still runs
        logged_at = time.mktime(time.strptime(stamped[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        logged_at += float("0." + stamped[20:26])
        assert logged_at - float(stamped.split(" stamp ")[1]) < 1.0
        wait_task_status(admin, task_id, {"success"}, timeout=120)
        texts = [(line.split(" ")[1], line.split(" ", 3)[3]) for line in logs(admin, run_id)]
        expected = [("stdout", "one"), ("stdout", "two")]
        expected += [("stdout" if i % 2 == 0 else "stderr", f"line {i}") for i in range(300)]
        assert texts[: len(expected)] == expected
        assert texts[len(expected)] == ("stdout", "x" * (1024 * 1024))
        assert texts[-1] == ("stdout", "tail without newline")
