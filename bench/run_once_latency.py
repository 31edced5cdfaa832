"""P1: time from the ``task/run_once`` call to the first line of user code.

Baseline, measured in the same run: the same code (examples/hello) in a hand-written DAG
triggered through Airflow's own REST API (``POST /api/v2/dags/{id}/dagRuns``). Both are
read from the Airflow task log's own timestamps. Target: ratio <= 1.2x.

    .venv/bin/python -m bench.run_once_latency [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench._common import airflow_log_events, parse_time, ready_hello, start_stack, wait
from tests.support.stack import AirflowStack


def ours(stack: AirflowStack, workspace: int, orchestration: str) -> float:
    with stack.client("admin") as client:
        started = datetime.now(UTC)
        task_id = client.post(
            "/task/run_once", json={"workspace_id": workspace, "orch_id": orchestration, "json": {}}
        ).json()["id"]

        def first_line():
            runs = client.post("/task/list_task_runs", json={"task_id": task_id}).json()
            if not runs:
                return None
            lines = client.post("/task/get_logs_for_run", json={"id": runs[0]["run_id"]}).json()["logs"]
            return lines[0] if lines else None

        line = wait(first_line, "our first user line", 120, 0.1)
    return (parse_time(line.split(" ", 1)[0]) - started).total_seconds()


def baseline(stack: AirflowStack) -> float:
    run_id = f"bench-{uuid.uuid4()}"
    with stack.airflow_api() as airflow:
        started = datetime.now(UTC)
        answer = airflow.post(
            "/dags/bench_baseline_manual/dagRuns", json={"dag_run_id": run_id, "logical_date": None}
        )
        answer.raise_for_status()

        def first_line():
            for event in airflow_log_events(airflow, "bench_baseline_manual", run_id, "hello"):
                if "hello:" in str(event.get("event", "")):
                    return event
            return None

        event = wait(first_line, "the baseline's first user line", 120, 0.1)
    return (parse_time(str(event["timestamp"])) - started).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-p1-") as scratch:
        stack = start_stack(Path(scratch) / "home")
        try:
            workspace, orchestration = ready_hello(stack)
            ours(stack, workspace, orchestration)  # warm-up: first task DAG import, first executor fork
            baseline(stack)
            mine, theirs = [], []
            for _ in range(args.rounds):
                mine.append(ours(stack, workspace, orchestration))
                theirs.append(baseline(stack))
        finally:
            stack.stop()
    m, t = statistics.median(mine), statistics.median(theirs)
    print(f"P1 run_once -> first user line : median {m:.2f} s  (all: {', '.join(f'{x:.2f}' for x in mine)})")
    print(
        f"   baseline (REST-triggered DAG): median {t:.2f} s  (all: {', '.join(f'{x:.2f}' for x in theirs)})"
    )
    print(f"   ratio                        : {m / t:.2f}x   (target <= 1.2x)")


if __name__ == "__main__":
    main()
