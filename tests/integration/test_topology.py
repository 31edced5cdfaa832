"""The distributed topology, on this machine as it would run on several: PostgreSQL, the
CeleryExecutor with Redis, two Celery workers, an api-server with two worker processes,
and a data folder shared by all.

What it checks is what one process or one machine would hide: logs read from a worker's
log server (the api-server has none of its own), a kill taken by either api-server worker
for a run on either Celery worker, pause and resume, and a worker dying mid-run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import httpx
import psutil
import pytest

from airflow_wallaroo.runners.attempts import CUT_OFF_NOTE
from tests.support.helpers import unique
from tests.support.stack import AirflowStack, PostgresDatabase, postgres_reachable
from tests.support.tasks import logs, ready_example, runs_of, start_task, task, wait_task_status, wait_until

pytestmark = pytest.mark.slow
WORKER_HOSTS = {"127.0.0.2": "celery-worker-1", "127.0.0.3": "celery-worker-2"}


@pytest.fixture(scope="module")
def celery_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    if not postgres_reachable():
        pytest.skip("the celery topology needs PostgreSQL on 127.0.0.1:5432")
    database = PostgresDatabase()
    stack = AirflowStack(
        home=tmp_path_factory.mktemp("airflow-celery"),
        backend="postgres",
        sql_alchemy_conn=database.create(),
        standalone_args=["--topology", "celery", "--workers", "2", "--api-workers", "2"],
        # A worker that vanishes is noticed after 20 s instead of 300.
        extra_env={"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20"},
    )
    try:
        stack.start(timeout=300)
        yield stack
    finally:
        stack.stop()
        database.drop()


@pytest.fixture(scope="module")
def admin(celery_stack: AirflowStack) -> Iterator[httpx.Client]:
    with celery_stack.client("admin") as client:
        yield client


@pytest.fixture(scope="module")
def hello(admin: httpx.Client) -> tuple[int, str]:
    workspace = admin.post("/workspaces/create", json={"workspace_name": unique("celery")}).json()[
        "workspace_id"
    ]
    return workspace, ready_example(admin, workspace, "hello")


def worker_of(stack: AirflowStack, task_id: str, run_id: str) -> str:
    """The Celery worker that ran a run, from the hostname Airflow recorded for it."""
    with stack.airflow_api() as airflow:
        ti = airflow.get(
            f"/dags/wallaroo_task_{task_id}/dagRuns/{run_id}/taskInstances/run_orchestration"
        ).json()
    return WORKER_HOSTS[ti["hostname"]]


def test_the_topology_is_what_it_says(celery_stack: AirflowStack) -> None:
    for name in (
        "scheduler",
        "dag-processor",
        "triggerer",
        "api-server",
        "celery-worker-1",
        "celery-worker-2",
    ):
        assert celery_stack.component(name).is_running(), name
    api_workers = [
        p for p in celery_stack.component("api-server").children() if "spawn_main" in " ".join(p.cmdline())
    ]
    assert len(api_workers) >= 2, [p.cmdline() for p in api_workers]
    assert "CeleryExecutor" in (celery_stack.home / "airflow.cfg").read_text()


def test_a_run_once_on_a_worker_and_its_logs_through_the_worker_log_server(
    celery_stack: AirflowStack, admin: httpx.Client, hello: tuple[int, str]
) -> None:
    workspace, orchestration = hello
    task_id = start_task(admin, "run_once", workspace, orchestration, json={"via": "celery"})
    wait_task_status(admin, task_id, {"success"}, timeout=180)
    run_id = runs_of(admin, task_id)[0]["run_id"]
    assert any('hello: arguments = {"via": "celery"}' in line for line in logs(admin, run_id))
    assert worker_of(celery_stack, task_id, run_id) in WORKER_HOSTS.values()
    # The api-server has no task log of its own: what it answered came from a worker's log server.
    assert not list((celery_stack.home / "logs-api-server").glob("dag_id=*/**/*.log"))


def test_scheduled_runs_pause_resume_and_kill_across_processes(
    admin: httpx.Client, hello: tuple[int, str]
) -> None:
    workspace, orchestration = hello
    task_id = start_task(admin, "run_scheduled", workspace, orchestration, schedule="* * * * *", json={})
    wait_until(lambda: any(r["status"] == "success" for r in runs_of(admin, task_id)), "a cron run", 150, 2)
    assert admin.post("/task/pause", json={"id": task_id, "pause": True}).json()["status"] == "paused"
    assert admin.post("/task/pause", json={"id": task_id, "pause": False}).json()["status"] == "started"
    assert admin.post("/task/kill", json={"id": task_id}).status_code == 202
    wait_task_status(admin, task_id, {"killed"}, timeout=150)


def test_a_continuous_run_on_one_worker_killed_through_either_api_worker(
    celery_stack: AirflowStack, admin: httpx.Client, hello: tuple[int, str]
) -> None:
    workspace, orchestration = hello
    task_id = start_task(
        admin, "run_continuously", workspace, orchestration, name="loop", json={"sleep": 300}
    )
    run_id = wait_until(
        lambda: (r := runs_of(admin, task_id)) and r[0]["status"] == "running" and r[0]["run_id"],
        "a run",
        180,
    )
    wait_until(lambda: any("hello: tick 1" in line for line in logs(admin, run_id)), "the first tick", 120)
    (pid_file,) = (celery_stack.data_folder / "runs" / task_id).glob("*.pid")
    user_pid = int(pid_file.read_text().split()[0])
    assert admin.post("/task/kill", json={"id": task_id}).status_code == 202
    wait_task_status(admin, task_id, {"killed"}, timeout=150)
    assert not psutil.pid_exists(user_pid) or psutil.Process(user_pid).status() == psutil.STATUS_ZOMBIE
    assert logs(admin, run_id) == []


def test_a_worker_killed_mid_run_ends_the_run_as_interrupted_and_the_work_goes_on(
    celery_stack: AirflowStack, admin: httpx.Client, hello: tuple[int, str]
) -> None:
    workspace, orchestration = hello
    doomed = start_task(admin, "run_once", workspace, orchestration, json={"sleep": 240})
    run_id = wait_until(lambda: (r := runs_of(admin, doomed)) and r[0]["run_id"], "a run", 180)
    wait_until(lambda: any("hello: tick 1" in line for line in logs(admin, run_id)), "the first tick", 120)
    worker = worker_of(celery_stack, doomed, run_id)
    # The machine of that worker goes: its worker, pool, task process and the user code with it.
    os.killpg(celery_stack.component(worker).pid, signal.SIGKILL)
    wait_task_status(admin, doomed, {"failed"}, timeout=180)
    # Its log is served by the workers' log server, which the supervisor is restarting.
    lines = wait_until(
        lambda: (got := logs(admin, run_id)) and "hello: in_task" in got[0] and got, "the log", 120
    )
    assert sum("hello: in_task" in line for line in lines) == 1, lines
    assert lines[-1].endswith(CUT_OFF_NOTE)
    # Work goes on: a new run is taken by a live worker.
    after = start_task(admin, "run_once", workspace, orchestration, json={"after": "crash"})
    wait_task_status(admin, after, {"success"}, timeout=240)
    assert worker_of(celery_stack, after, runs_of(admin, after)[0]["run_id"]) in WORKER_HOSTS.values()
    assert task(admin, doomed)["status"] == "failed"
