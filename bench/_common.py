"""Shared bench plumbing: a stack with a hand-written baseline DAG, and log timestamps."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx

from tests.support.archives import EXAMPLES, zip_example
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack

BASELINE_DAGS = '''"""Hand-written baseline DAGs for the benches (airflow DAG file)."""
import subprocess, sys
from datetime import datetime
from airflow.sdk import DAG, task

HELLO = {hello!r}


def run_hello():
    completed = subprocess.run([sys.executable, HELLO], capture_output=True, text=True)
    for line in completed.stdout.splitlines():
        print(line, flush=True)


with DAG("bench_baseline_manual", schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
         is_paused_upon_creation=False, max_active_runs=16):
    task(task_id="hello")(run_hello)()

with DAG("bench_baseline_continuous", schedule="@continuous", start_date=datetime(2026, 1, 1), catchup=False,
         is_paused_upon_creation=True, max_active_runs=1):
    task(task_id="hello")(run_hello)()
'''


def start_stack(home: Path) -> AirflowStack:
    """A SQLite stack whose DAG folder also holds the baseline DAGs."""
    dags = home / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "bench_baseline.py").write_text(BASELINE_DAGS.format(hello=str(EXAMPLES / "hello" / "main.py")))
    stack = AirflowStack(home=home, backend="sqlite")
    stack.start()
    wait(lambda: _dag_exists(stack, "bench_baseline_manual"), "the baseline DAG", 120)
    return stack


def ready_hello(stack: AirflowStack) -> tuple[int, str]:
    with stack.client("admin") as client:
        workspace = client.post("/workspaces/list", json={}).json()["workspaces"][0]["id"]
        orchestration = upload_ok(client, zip_example("hello"), workspace, name="bench-hello")
        wait_for_status(client, orchestration, {"ready"}, timeout=300)
    return workspace, orchestration


def _dag_exists(stack: AirflowStack, dag_id: str) -> bool:
    with stack.airflow_api() as airflow:
        return airflow.get(f"/dags/{dag_id}").status_code == 200


def wait(probe, what: str, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def airflow_log_events(airflow: httpx.Client, dag_id: str, run_id: str, task_id: str) -> list[dict]:
    answer = airflow.get(
        f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/1",
        headers={"Accept": "application/json"},
    )
    if answer.status_code != 200:
        return []
    return [e for e in answer.json().get("content", []) if isinstance(e, dict)]


def parse_time(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if "." in text:  # trim nanoseconds to microseconds for fromisoformat
        head, tail = text.split(".", 1)
        digits = tail[: len(tail) - len(tail.lstrip("0123456789"))]
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(text)
