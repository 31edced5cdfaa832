"""Reads at scale (issue 14): the list and read endpoints at 1k and 10k tasks, against Airflow.

For each backend (SQLite, PostgreSQL) and size N (1k, 10k tasks), one fresh stack:

- Data, inserted directly in bulk into the stack's metadata database
  (``tests/support/synthetic.py``: SQLAlchemy Core ``executemany`` in batches of 5000 over
  the reflected Airflow tables and our own): N/10 ready orchestrations (each with its
  successful packaging run), N tasks with a ``dag`` row each, and 20*N runs shaped as the
  scheduler writes them (UUID run ids, queued/start/end/updated times, 1 in 20 failed on
  its timeout with its task instance and ``wallaroo_outcome`` XCom, 1 in 50 failed). One
  "hot" task holds 10,000 runs at both sizes; the others share the rest. Airflow's
  baseline DAG (a real, parsed DAG) gets 10,000 runs of the same shape.
- Calls, each product call interleaved with its Airflow REST baseline, ``--rounds`` times
  after a warm-up, p50 of each: ``list_task_runs`` limit 20 and 100 on the hot task vs
  ``GET /api/v2/dags/{id}/dagRuns?limit=`` of the same size on the baseline DAG;
  ``task/list`` and ``orchestration/list_all`` default page vs ``GET /api/v2/dags?limit=100``
  (and ``POST /api/v2/dags/~/dagRuns/list`` with 100); ``task/get_by_id`` vs a 5-run page;
  ``get_run_details`` vs ``GET .../dagRuns/{run_id}``; ``get_tasks_by_orch_sha`` (default
  page) vs ``GET /api/v2/dags?limit=100``.
- api-server RSS (its process tree) before the first call and after the last.
- The SQL plans of the hot queries (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL
  ``EXPLAIN ANALYZE``: actual rows read).

Targets (issue 14), checked in the closing table: list_task_runs p50 <= 1.0x Airflow's
dagRuns page of the same size; task/list and list_all default page <= 1.0x
``GET /dags?limit=100``; every paged call grows <= 1.5x from 1k to 10k; RSS growth <= 100 MB.

    .venv/bin/python -m bench.api_reads [--sizes 1000 10000] [--backends sqlite postgres] [--rounds 15]

Run through ``/work/stack-slot`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench._common import BASELINE_DAGS, wait
from tests.support import synthetic
from tests.support.archives import EXAMPLES
from tests.support.stack import AirflowStack, PostgresDatabase, postgres_reachable

HOT_RUNS = 10_000
BASELINE_DAG = "bench_baseline_manual"
#: call name -> (baseline name, whether it is a paged call, target ratio or None)
TARGETS: dict[str, float | None] = {
    "list_task_runs limit 20": 1.0,
    "list_task_runs limit 100": 1.0,
    "task/list (default page)": 1.0,
    "orchestration/list_all (default page)": 1.0,
    "task/get_by_id": None,
    "task/get_run_details": None,
    "task/get_tasks_by_orch_sha": None,
}
PAGED = {
    "list_task_runs limit 20",
    "list_task_runs limit 100",
    "task/list (default page)",
    "orchestration/list_all (default page)",
    "task/get_tasks_by_orch_sha",
}


@dataclass
class Result:
    backend: str
    size: int
    ours: dict[str, float] = field(default_factory=dict)
    theirs: dict[str, tuple[str, float]] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)
    rss_growth_mb: float = 0.0
    dags_listed: int = 0
    plans: list[str] = field(default_factory=list)


def start(home: Path, backend: str) -> tuple[AirflowStack, PostgresDatabase | None]:
    dags = home / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "bench_baseline.py").write_text(BASELINE_DAGS.format(hello=str(EXAMPLES / "hello" / "main.py")))
    database = None
    conn = None
    if backend == "postgres":
        database = PostgresDatabase()
        conn = database.create()
    stack = AirflowStack(home=home, backend=backend, sql_alchemy_conn=conn)
    stack.start()
    with stack.airflow_api() as airflow:
        wait(lambda: airflow.get(f"/dags/{BASELINE_DAG}").status_code == 200, "the baseline DAG", 180, 0.5)
    return stack, database


def engine_of(stack: AirflowStack) -> sa.Engine:
    return sa.create_engine(stack.sql_alchemy_conn or f"sqlite:///{stack.home / 'airflow.db'}")


def populate(stack: AirflowStack, engine: sa.Engine, size: int) -> dict[str, Any]:
    with stack.client("admin") as client:
        workspace = client.post("/workspaces/list", json={}).json()["workspaces"][0]
    sha = "b" * 64
    began = time.monotonic()
    orchestrations = synthetic.insert_orchestrations(
        engine, workspace_id=workspace["id"], owner_id=workspace["created_by"], sha=sha, count=size // 10
    )
    others = max(0, 20 * size - HOT_RUNS) // (size - 1)
    made = synthetic.insert_tasks(
        engine,
        workspace_id=workspace["id"],
        owner_id=workspace["created_by"],
        orchestration_ids=orchestrations,
        sha=sha,
        runs_per_task=[HOT_RUNS] + [others] * (size - 1),
        remember=1,
        newest_running=False,  # no running runs: the scheduler would examine each
    )
    synthetic.insert_runs(engine, BASELINE_DAG, HOT_RUNS)
    if engine.dialect.name == "postgresql":
        # Tables that grew this large would have been analyzed by autovacuum; a bulk insert
        # leaves the planner without statistics until it comes round.
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    print(
        f"  inserted {size} tasks, {HOT_RUNS + others * (size - 1)} task runs, {len(orchestrations)} "
        f"orchestrations, {HOT_RUNS} baseline runs in {time.monotonic() - began:.0f} s",
        flush=True,
    )
    hot = made.task_ids[0]
    return {
        "workspace": workspace["id"],
        "sha": sha,
        "hot": hot,
        "hot_run": made.runs[hot][len(made.runs[hot]) // 2],
    }


def api_server_rss(stack: AirflowStack) -> int:
    root = stack.component("api-server")
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)] if p.is_running())


ERRORS: list[str] = []


def retrying(call: Callable[[], httpx.Response]) -> Callable[[], httpx.Response]:
    """The call, sent again (up to twice) when the connection was reset: the api-server may
    recycle a worker that held the client's keep-alive connection."""

    def again() -> httpx.Response:
        for attempt in range(3):
            try:
                return call()
            except httpx.TransportError as exc:
                if attempt == 2:
                    raise
                ERRORS.append(f"retried after {exc!r}")
                time.sleep(1)
        raise AssertionError("unreachable")

    return again


def timed(call: Callable[[], httpx.Response]) -> float:
    """Milliseconds of one call; a failed call is NaN and its answer is kept for the report."""
    began = time.perf_counter()
    answer = retrying(call)()
    elapsed = (time.perf_counter() - began) * 1000
    if answer.status_code != 200:
        if len(ERRORS) < 10:
            ERRORS.append(
                f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:300]}"
            )
        return float("nan")
    return elapsed


def measure(stack: AirflowStack, ids: dict[str, Any], rounds: int) -> tuple[dict, dict, dict, int]:
    run_base = f"/dags/{BASELINE_DAG}/dagRuns"
    with stack.client("admin") as ours, stack.airflow_api() as airflow:
        first = retrying(lambda: airflow.get(run_base, params={"limit": 1}))()
        if first.status_code == 200:
            base_run = first.json()["dag_runs"][0]["dag_run_id"]
        else:
            ERRORS.append(f"GET {run_base}: {first.status_code} {first.text[:500]}")
            base_run = "none"
        dags_page = lambda: airflow.get("/dags", params={"limit": 100})  # noqa: E731
        pairs: dict[str, tuple[Callable[[], httpx.Response], str, Callable[[], httpx.Response]]] = {
            "list_task_runs limit 20": (
                lambda: ours.post("/task/list_task_runs", json={"task_id": ids["hot"], "limit": 20}),
                "GET dagRuns?limit=20",
                lambda: airflow.get(run_base, params={"limit": 20}),
            ),
            "list_task_runs limit 100": (
                lambda: ours.post("/task/list_task_runs", json={"task_id": ids["hot"], "limit": 100}),
                "GET dagRuns?limit=100",
                lambda: airflow.get(run_base, params={"limit": 100}),
            ),
            "task/list (default page)": (
                lambda: ours.post("/task/list", json={"workspace_id": None, "killed": None}),
                "GET /dags?limit=100",
                dags_page,
            ),
            "orchestration/list_all (default page)": (
                lambda: ours.post(
                    "/orchestration/list_all", json={"workspace_ids": [], "task_run_status": []}
                ),
                "GET /dags?limit=100",
                dags_page,
            ),
            "task/get_by_id": (
                lambda: ours.post("/task/get_by_id", json={"id": ids["hot"]}),
                "GET dagRuns?limit=5",
                lambda: airflow.get(run_base, params={"limit": 5}),
            ),
            "task/get_run_details": (
                lambda: ours.post(
                    "/task/get_run_details", json={"task": ids["hot"], "pod_id": ids["hot_run"]}
                ),
                "GET dagRuns/{run_id}",
                lambda: airflow.get(f"{run_base}/{base_run}"),
            ),
            "task/get_tasks_by_orch_sha": (
                lambda: ours.post("/task/get_tasks_by_orch_sha", json={"sha": ids["sha"]}),
                "GET /dags?limit=100",
                dags_page,
            ),
        }
        extra_calls = {
            "POST /dags/~/dagRuns/list (100)": lambda: airflow.post(
                "/dags/~/dagRuns/list", json={"page_limit": 100}
            ),
        }
        listing = retrying(dags_page)()
        dags_listed = int(listing.json()["total_entries"]) if listing.status_code == 200 else -1
        for mine, _, theirs in pairs.values():  # warm-up
            timed(mine)
            timed(theirs)
        samples: dict[str, list[float]] = {name: [] for name in pairs}
        base_samples: dict[str, list[float]] = {name: [] for name in pairs}
        extra_samples: dict[str, list[float]] = {name: [] for name in extra_calls}
        for _ in range(rounds):
            for name, (mine, _, theirs) in pairs.items():
                samples[name].append(timed(mine))
                base_samples[name].append(timed(theirs))
            for name, call in extra_calls.items():
                extra_samples[name].append(timed(call))
    ours_p50 = {n: statistics.median(v) for n, v in samples.items()}
    theirs_p50 = {n: (pairs[n][1], statistics.median(v)) for n, v in base_samples.items()}
    extra_p50 = {n: statistics.median(v) for n, v in extra_samples.items()}
    return ours_p50, theirs_p50, extra_p50, dags_listed


def plans(engine: sa.Engine, ids: dict[str, Any], home: Path) -> list[str]:
    """The hot queries' plans, compiled from the product's own query builders."""
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    from sqlalchemy import func, select

    from airflow_wallaroo.airflow_compat import runs
    from airflow_wallaroo.core.naming import dag_id_of
    from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow

    with engine.connect() as connection:
        page_ids = list(
            connection.scalars(
                select(TaskRow.id)
                .where(TaskRow.workspace_id == ids["workspace"])
                .order_by(TaskRow.created_at.desc(), TaskRow.id.desc())
                .limit(100)
            )
        )
    queries = {
        "list_task_runs page (limit 100)": runs.page_query_for_plan(dag_id_of(ids["hot"]), 100),
        "list_task_runs total": select(func.count())
        .select_from(runs.DagRun)
        .where(runs.DagRun.dag_id == dag_id_of(ids["hot"])),
        "task/list page (limit 100)": select(TaskRow)
        .where(TaskRow.workspace_id.in_([ids["workspace"]]))
        .order_by(TaskRow.created_at.desc(), TaskRow.id.desc())
        .limit(100),
        "newest 5 runs of a page of 100 tasks": runs.last_runs_query([dag_id_of(t) for t in page_ids], 5),
        "list_all page (limit 100)": select(OrchestrationRow)
        .where(OrchestrationRow.workspace_id.in_([ids["workspace"]]))
        .order_by(OrchestrationRow.created_at.desc(), OrchestrationRow.id.desc())
        .limit(100),
    }
    out = []
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        for name, query in queries.items():
            sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + sql).all()
            lines = [("    " + str(r[0])) if postgres else f"    {r[-1]}" for r in rows]
            if len(lines) > 40:  # the UNION ALL: one identical range per task
                lines = [
                    *lines[:16],
                    f"    ... ({len(lines) - 22} more lines: the same per task)",
                    *lines[-6:],
                ]
            text = "\n".join(lines)
            out.append(f"  {name}:\n{text}")
    return out


def run_one(backend: str, size: int, rounds: int) -> Result:
    print(f"== {backend}, {size} tasks", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"wallaroo-bench-reads-{backend}-") as scratch:
        stack, database = start(Path(scratch) / "home", backend)
        engine = engine_of(stack)
        try:
            ids = populate(stack, engine, size)
            before = api_server_rss(stack)
            try:
                ours, theirs, extra, listed = measure(stack, ids, rounds)
            except Exception:
                log = stack.home / "logs" / "components" / "api-server.log"
                print(
                    "api-server log tail:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-80:])
                )
                raise
            after = api_server_rss(stack)
            result = Result(backend, size, ours, theirs, extra, (after - before) / 2**20, listed)
            try:
                result.plans = plans(engine, ids, stack.home)
            except Exception as exc:  # noqa: BLE001 (the timings stand without the plans)
                result.plans = [f"  (plans failed: {exc!r})"]
            if ERRORS:
                print("errors:\n  " + "\n  ".join(ERRORS))
                log = stack.home / "logs" / "components" / "api-server.log"
                print(
                    "api-server log tail:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-60:])
                )
                ERRORS.clear()
        finally:
            engine.dispose()
            stack.stop()
            if database is not None:
                database.drop()
    print_result(result)
    return result


def print_result(r: Result) -> None:
    print(f"\n### {r.backend}, {r.size} tasks / {20 * r.size} runs (p50 ms)\n")
    print("| call | ours | Airflow baseline | baseline | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, mine in r.ours.items():
        label, theirs = r.theirs[name]
        target = TARGETS[name]
        verdict = (
            "" if target is None else ("met" if mine / theirs <= target else "NOT met") + f" (<= {target}x)"
        )
        print(f"| {name} | {mine:.1f} | {label} | {theirs:.1f} | {mine / theirs:.2f}x | {verdict} |")
    for name, value in r.extra.items():
        print(f"| (Airflow) {name} | | | {value:.1f} | | |")
    print(f"\napi-server RSS growth over the calls: {r.rss_growth_mb:.1f} MB (target <= 100 MB)")
    print(f"GET /dags total_entries (DAGs Airflow lists): {r.dags_listed}")
    print("\nplans:\n" + "\n".join(r.plans), flush=True)


def print_growth(results: list[Result]) -> None:
    by = {(r.backend, r.size): r for r in results}
    sizes = sorted({r.size for r in results})
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"\n### growth from {small} to {large} tasks (p50 ratio; target <= 1.5x for paged calls)\n")
    print("| call | backend | ours | Airflow baseline |")
    print("|---|---|---|---|")
    for backend in sorted({r.backend for r in results}):
        a, b = by.get((backend, small)), by.get((backend, large))
        if a is None or b is None:
            continue
        for name in a.ours:
            grow = b.ours[name] / a.ours[name]
            mark = (" met" if grow <= 1.5 else " NOT met") if name in PAGED else ""
            base = b.theirs[name][1] / a.theirs[name][1]
            print(f"| {name} | {backend} | {grow:.2f}x{mark} | {base:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    results = []
    for backend in args.backends:
        if backend == "postgres" and not postgres_reachable():
            print("PostgreSQL is not reachable on 127.0.0.1:5432: skipped")
            continue
        for size in args.sizes:
            try:
                results.append(run_one(backend, size, args.rounds))
            except Exception:  # noqa: BLE001 (report it, go on with the next size)
                traceback.print_exc()
    print_growth(results)


if __name__ == "__main__":
    main()
