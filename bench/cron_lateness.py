"""Cron punctuality (issue 14): 100 tasks on ``* * * * *`` beside 100 plain cron DAGs.

One stack. Plain side: 100 hand-written DAGs on ``* * * * *`` (Airflow 3's default cron
timetable, ``CronTriggerTimetable``: no catchup, like our ``UuidCronTimetable``) running the
same examples/hello code in a subprocess, unpaused together through Airflow's bulk
``PATCH /api/v2/dags``. Ours: 100 ``task/run_scheduled`` tasks of examples/hello on the
same schedule. Both sides then run side by side for ``--minutes`` (>= 6: at least 5 ticks
after the first full minute). Start lateness of a run = ``start_date - run_after`` (the
tick), read for both sides the same way, from ``POST /api/v2/dags/~/dagRuns/list``; runs
of the first tick after both sides are live are left out (either side may have come up
mid-minute). Prints p50 and p99 for both and the p99 ratio (target <= 1.1x).

    .venv/bin/python -m bench.cron_lateness [--count 100] [--minutes 6]

Run through ``/work/stack-slot`` on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from airflow_wallaroo.core.naming import dag_id_of
from bench._common import parse_time, wait
from tests.support.archives import EXAMPLES, zip_example
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack

PLAIN_DAGS = '''"""Plain cron DAGs for bench/cron_lateness.py (airflow DAG file)."""
import subprocess, sys
from datetime import datetime
from airflow.sdk import DAG, task

HELLO = {hello!r}


def run_hello():
    completed = subprocess.run([sys.executable, HELLO], capture_output=True, text=True)
    print(completed.stdout, flush=True)


for n in range({count}):
    with DAG(f"bench_cron_{{n:03d}}", schedule="* * * * *", start_date=datetime(2026, 1, 1), catchup=False,
             is_paused_upon_creation=True, max_active_runs=16) as dag:
        task(task_id="hello")(run_hello)()
    globals()[dag.dag_id] = dag
'''


def lateness(airflow: httpx.Client, dag_ids: list[str], since: datetime, until: datetime) -> list[float]:
    """Seconds from each run's tick to its start, for runs ticked from ``since`` to ``until``."""
    found: list[float] = []
    offset = 0
    while True:
        answer = airflow.post(
            "/dags/~/dagRuns/list",
            json={
                "dag_ids": dag_ids,
                "run_after_gte": since.isoformat(),
                "run_after_lte": until.isoformat(),
                "page_limit": 1000,
                "page_offset": offset,
            },
        )
        answer.raise_for_status()
        runs = answer.json()["dag_runs"]
        for run in runs:
            if run["run_type"] == "scheduled" and run["start_date"]:
                found.append((parse_time(run["start_date"]) - parse_time(run["run_after"])).total_seconds())
        if len(runs) < 1000:
            return found
        offset += 1000


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--minutes", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallaroo-bench-cron-") as scratch:
        home = Path(scratch) / "home"
        (home / "dags").mkdir(parents=True)
        (home / "dags" / "bench_cron.py").write_text(
            PLAIN_DAGS.format(hello=str(EXAMPLES / "hello" / "main.py"), count=args.count)
        )
        stack = AirflowStack(home=home, backend="sqlite")
        stack.start()
        try:
            with stack.client("admin") as ours, stack.airflow_api() as airflow:
                plain = [f"bench_cron_{n:03d}" for n in range(args.count)]
                wait(
                    lambda: (
                        airflow.get("/dags", params={"dag_id_pattern": "bench_cron_%", "limit": 1}).json()[
                            "total_entries"
                        ]
                        >= args.count
                    ),
                    "the plain DAGs",
                    300,
                    1,
                )
                workspace = ours.post("/workspaces/list", json={}).json()["workspaces"][0]["id"]
                orchestration = upload_ok(ours, zip_example("hello"), workspace, name="bench-cron")
                wait_for_status(ours, orchestration, {"ready"}, timeout=600)
                task_ids = []
                for n in range(args.count):
                    answer = ours.post(
                        "/task/run_scheduled",
                        json={
                            "workspace_id": workspace,
                            "orch_id": orchestration,
                            "name": f"cron-{n}",
                            "schedule": "* * * * *",
                            "json": {},
                        },
                    )
                    answer.raise_for_status()
                    task_ids.append(answer.json()["id"])
                mine = [dag_id_of(t) for t in task_ids]
                wait(
                    lambda: (
                        airflow.get("/dags", params={"dag_id_pattern": "wallaroo_task_%", "limit": 1}).json()[
                            "total_entries"
                        ]
                        >= args.count
                    ),
                    "our tasks' DAGs",
                    600,
                    2,
                )
                airflow.patch(
                    "/dags", params={"dag_id_pattern": "bench_cron_%"}, json={"is_paused": False}
                ).raise_for_status()
                live = datetime.now(UTC)
                # Leave out the first tick: either side may have come up mid-minute.
                since = live.replace(second=0, microsecond=0) + timedelta(minutes=2)
                print(f"both sides live at {live:%H:%M:%S}; counting ticks from {since:%H:%M}", flush=True)
                until = since + timedelta(minutes=args.minutes - 1)
                # 45 s after the last tick counted: a run not started by then counts as missing.
                time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 45)
                theirs = lateness(airflow, plain, since, until)
                ours_late = lateness(airflow, mine, since, until)
        finally:
            stack.stop()
    expected = args.count * args.minutes
    for name, values in (("ours (task/run_scheduled)", ours_late), ("plain cron DAGs", theirs)):
        print(
            f"{name:28}: {len(values)} of {expected} runs started, "
            f"start lateness p50 {statistics.median(values):.2f} s, "
            f"p99 {quantile(values, 0.99):.2f} s, max {max(values):.2f} s"
        )
    ratio = quantile(ours_late, 0.99) / quantile(theirs, 0.99)
    print(f"p99 ratio: {ratio:.2f}x (target <= 1.1x)")


if __name__ == "__main__":
    main()
