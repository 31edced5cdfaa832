"""Recovery of a continuous task after its run is failed from outside the product."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.stack import AirflowStack
from tests.support.tasks import logs, runs_of, start_task, wait_task_status, wait_until

# Recovery after a run failed from outside: a state transition the database can change.
pytestmark = pytest.mark.both_backends

#: The contract's promise for a continuous task: the next run starts within a minute.
SUCCESSOR_WITHIN_SECONDS = 60


# The session's shared hello (tests/integration/conftest.py): these tests look only at their own tasks.
@pytest.fixture
def workspace(shared_hello: tuple[int, str]) -> int:
    return shared_hello[0]


@pytest.fixture
def hello(shared_hello: tuple[int, str]) -> str:
    return shared_hello[1]


def pid_file(stack: AirflowStack, task_id: str, run_id: str) -> Path:
    """Where the local runner records the pid of a run's user process while it runs."""
    return stack.data_folder / "runs" / task_id / f"{run_id}.pid"


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class TestRunFailedFromOutside:
    def test_a_continuous_task_gets_a_successor_within_a_minute(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
    ) -> None:
        task_id = start_task(admin, "run_continuously", workspace, hello, name="recover", json={"sleep": 300})
        try:
            first = wait_until(
                lambda: (r := runs_of(admin, task_id)) and r[0]["status"] == "running" and r[0],
                "the first continuous run to be running",
                timeout=180,
            )
            first_pid = wait_until(
                lambda: read_pid(pid_file(stack, task_id, first["run_id"])),
                "the user process of the first run",
                timeout=120,
            )
            assert not gone(first_pid)
            wait_until(
                lambda: any("hello: tick" in line for line in logs(admin, first["run_id"])),
                "the first run's user code to be ticking",
                timeout=60,
            )

            # An operator fails the run in Airflow's own REST API, not through /v1.
            with stack.airflow_api() as airflow:
                answer = airflow.patch(
                    f"/dags/wallaroo_task_{task_id}/dagRuns/{first['run_id']}", json={"state": "failed"}
                )
                failed_at = time.monotonic()
            assert answer.status_code == 200, answer.text
            assert answer.json()["state"] == "failed"

            # A new run (another run id) starts, and its user code with it, within the minute.
            first_gone_after: float | None = None

            def successor() -> tuple[dict, int] | None:
                nonlocal first_gone_after
                if first_gone_after is None and gone(first_pid):
                    first_gone_after = time.monotonic() - failed_at
                new = [r for r in runs_of(admin, task_id) if r["run_id"] != first["run_id"]]
                if not new:
                    return None
                pid = read_pid(pid_file(stack, task_id, new[0]["run_id"]))
                return (new[0], pid) if pid else None

            second, second_pid = wait_until(successor, "a successor run with its user process", timeout=180)
            to_successor = time.monotonic() - failed_at
            print(f"\nsuccessor {second['run_id']} started {to_successor:.1f} s after the failure")
            assert to_successor < SUCCESSOR_WITHIN_SECONDS, f"successor after {to_successor:.1f} s"
            assert second["status"] == "running", second
            assert second_pid != first_pid

            # The failed run is reported as ended, as a failure, not as still running.
            def first_status() -> str | None:
                status = next(r["status"] for r in runs_of(admin, task_id) if r["run_id"] == first["run_id"])
                return status if status != "running" else None

            ended = wait_until(first_status, f"run {first['run_id']} to be reported as ended", timeout=60)
            print(f"failed run reported as {ended!r}")
            assert ended == "failure"

            # The user process of the failed run does not outlive its run.
            wait_until(
                lambda: gone(first_pid), f"user process {first_pid} of the failed run to be gone", timeout=60
            )
            if first_gone_after is None:
                first_gone_after = time.monotonic() - failed_at
            print(f"user process {first_pid} gone {first_gone_after:.1f} s after the failure")
            assert not gone(second_pid)
            assert wait_task_status(admin, task_id, {"started"}, timeout=30)["status"] == "started"
        finally:
            admin.post("/task/kill", json={"id": task_id})
            wait_task_status(admin, task_id, {"killed"}, timeout=120)
