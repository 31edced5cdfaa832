"""P6: the gap between the end of one continuous run and the start of the next.

Ours (``task/run_continuously`` of examples/hello) beside a hand-written ``@continuous``
DAG running the same code, in the same run; gaps from DagRun end_date to the next
DagRun's start_date. Target: p50 <= 2 s.

    .venv/bin/python -m bench.continuous_gap [--runs 8]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
from pathlib import Path

from bench._common import parse_time, ready_hello, start_stack, wait
from tests.support.stack import AirflowStack


def gaps(stack: AirflowStack, dag_id: str, runs: int) -> list[float]:
    with stack.airflow_api() as airflow:

        def enough():
            answer = airflow.get(f"/dags/{dag_id}/dagRuns", params={"order_by": "start_date", "limit": 100})
            if answer.status_code != 200:  # the DAG is not serialized yet
                return None
            done = [r for r in answer.json()["dag_runs"] if r["end_date"] and r["start_date"]]
            return done if len(done) >= runs else None

        done = wait(enough, f"{runs} runs of {dag_id}", 600, 1)
    done.sort(key=lambda r: r["start_date"])
    return [
        (parse_time(nxt["start_date"]) - parse_time(prev["end_date"])).total_seconds()
        for prev, nxt in itertools.pairwise(done)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-p6-") as scratch:
        stack = start_stack(Path(scratch) / "home")
        try:
            workspace, orchestration = ready_hello(stack)
            with stack.client("admin") as client:
                task_id = client.post(
                    "/task/run_continuously",
                    json={"workspace_id": workspace, "orch_id": orchestration, "name": "p6", "json": {}},
                ).json()["id"]
            with stack.airflow_api() as airflow:
                airflow.patch("/dags/bench_baseline_continuous", json={"is_paused": False}).raise_for_status()
            mine = gaps(stack, f"wallaroo_task_{task_id}", args.runs)
            theirs = gaps(stack, "bench_baseline_continuous", args.runs)
        finally:
            stack.stop()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]

    m50, t50 = statistics.median(mine), statistics.median(theirs)
    print(f"P6 continuous gap, ours    : p50 {m50:.2f} s, p90 {p(mine, 90):.2f} s over {len(mine)} gaps")
    print(f"   baseline @continuous DAG: p50 {t50:.2f} s, p90 {p(theirs, 90):.2f} s over {len(theirs)} gaps")
    print(f"   ratio (p50)             : {m50 / t50:.2f}x   (target: ours p50 <= 2 s)")


if __name__ == "__main__":
    main()
