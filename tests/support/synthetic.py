"""Synthetic tasks and runs, inserted in bulk straight into a stack's metadata database.

Rows are shaped as the real ones are: a ``wallaroo_task`` row per task and a ``dag`` row
for its DAG (as the dag-processor writes it), ``dag_run`` rows as the scheduler writes
them (run id a UUID, ``manual``/``scheduled`` run types, queued/start/end/updated times,
about 1 in 20 runs failed on its timeout, which also has its ``task_instance`` and the
``wallaroo_outcome`` XCom the runner pushes), and packaging runs for synthetic
orchestrations. Airflow's tables are reflected from the database, so nothing here
depends on Airflow's ORM; inserts go in batches of ``BATCH`` rows (``executemany``).
Used by ``tests/api`` (paging and filters, in-process) and ``bench/api_reads.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEY, PACKAGING_DAG_ID, RUN_TASK_ID, dag_id_of
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow

BATCH = 5000
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Synthetic:
    """What was inserted: ids to call the API with."""

    orchestration_ids: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    #: run ids by task id (only for the tasks asked to ``remember``)
    runs: dict[str, list[str]] = field(default_factory=dict)
    #: run ids whose run timed out, by task id (same tasks)
    timed_out: dict[str, list[str]] = field(default_factory=dict)


def _tables(engine: sa.Engine) -> dict[str, sa.Table]:
    meta = sa.MetaData()
    meta.reflect(engine, only=["dag", "dag_run", "task_instance", "xcom", "dag_bundle"])
    return dict(meta.tables)


def _time(engine: sa.Engine, moment: datetime) -> datetime:
    """Airflow stores naive UTC on SQLite (its UtcDateTime), aware times elsewhere."""
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_orchestrations(
    engine: sa.Engine, *, workspace_id: int, owner_id: str, sha: str, count: int
) -> list[str]:
    """``count`` ready orchestrations (each with a successful packaging run) of one archive."""
    tables = _tables(engine)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    now = START
    with engine.begin() as connection:
        connection.execute(
            OrchestrationRow.__table__.insert(),
            [
                {
                    "id": oid,
                    "sha": sha,
                    "name": f"synthetic-{i}",
                    "file_name": "synthetic.zip",
                    "file_size": 1000,
                    "entrypoint": "main.py",
                    "requirements": None,
                    "image_path": "local",
                    "workspace_id": workspace_id,
                    "owner_id": owner_id,
                    "packaging_run_id": oid,
                    "created_at": now + timedelta(seconds=i),
                    "updated_at": now + timedelta(seconds=i),
                }
                for i, oid in enumerate(ids)
            ],
        )
        connection.execute(
            tables["dag_run"].insert(),
            [
                _run_row(engine, PACKAGING_DAG_ID, oid, "success", now + timedelta(seconds=i))
                for i, oid in enumerate(ids)
            ],
        )
    return ids


def _run_row(engine: sa.Engine, dag_id: str, run_id: str, state: str, at: datetime) -> dict[str, Any]:
    return {
        "dag_id": dag_id,
        "run_id": run_id,
        "state": state,
        "run_type": "manual",
        "triggered_by": "REST_API",  # an Enum stored by name
        "run_after": _time(engine, at),
        "queued_at": _time(engine, at),
        "start_date": _time(engine, at + timedelta(seconds=1)),
        "end_date": None if state in ("queued", "running") else _time(engine, at + timedelta(seconds=30)),
        "created_at": _time(engine, at),
        "updated_at": _time(engine, at + timedelta(seconds=30)),
        "clear_number": 0,
        "span_status": "not_started",
        "conf": {},
    }


def insert_tasks(
    engine: sa.Engine,
    *,
    workspace_id: int,
    owner_id: str,
    orchestration_ids: Sequence[str],
    sha: str,
    runs_per_task: Sequence[int],
    remember: int = 0,
    bundle_name: str = "dags-folder",
    newest_running: bool = True,
) -> Synthetic:
    """One task per entry of ``runs_per_task`` (with that many runs), spread over the
    orchestrations round-robin; the run ids of the first ``remember`` tasks are returned."""
    tables = _tables(engine)
    made = Synthetic(orchestration_ids=list(orchestration_ids))
    task_ids = [str(uuid.uuid4()) for _ in runs_per_task]
    made.task_ids = task_ids
    with engine.begin() as connection:
        if bundle_name not in set(connection.scalars(sa.select(tables["dag_bundle"].c.name))):
            connection.execute(tables["dag_bundle"].insert(), [{"name": bundle_name, "active": True}])
        for batch in _batches(
            {
                "id": tid,
                "name": f"synthetic-{i}",
                "kind": "run_scheduled",
                "workspace_id": workspace_id,
                "orch_id": orchestration_ids[i % len(orchestration_ids)],
                "orch_sha": sha,
                "owner_id": owner_id,
                "schedule": "* * * * *",
                "timeout": 60,
                "arguments": json.dumps({"i": i}),
                "extra_env_vars": "{}",
                "bind_secrets": "[]",
                "debug": False,
                "first_run_id": str(uuid.uuid4()),
                "killed": False,
                "paused": False,
                "created_at": START + timedelta(milliseconds=i),
                "updated_at": START + timedelta(milliseconds=i),
            }
            for i, tid in enumerate(task_ids)
        ):
            connection.execute(TaskRow.__table__.insert(), batch)
        for batch in _batches(
            {
                "dag_id": dag_id_of(tid),
                "is_paused": False,
                "is_stale": False,
                "bundle_name": bundle_name,
                "fileloc": "synthetic.py",
                "relative_fileloc": "synthetic.py",
                "last_parsed_time": _time(engine, datetime.now(UTC)),
                "timetable_type": "airflow_wallaroo.timetables.UuidCronTimetable",
                "timetable_summary": "* * * * *",
                "partition_mapper_info": {},
                "max_active_tasks": 16,
                "max_active_runs": 16,
                "max_consecutive_failed_dag_runs": 0,
                "has_task_concurrency_limits": False,
                "owners": "airflow",
            }
            for tid in task_ids
        ):
            connection.execute(tables["dag"].insert(), batch)
        timed_out: list[tuple[str, str]] = []

        def run_rows() -> Iterator[dict[str, Any]]:
            for t, (tid, count) in enumerate(zip(task_ids, runs_per_task, strict=True)):
                dag_id = dag_id_of(tid)
                for n in range(count):
                    run_id = str(uuid.uuid4())
                    # Mostly successes, 1 in 20 timed out, 1 in 50 plainly failed, the newest running.
                    state = (
                        "running"
                        if newest_running and n == count - 1
                        else "failed"
                        if n % 20 == 7 or n % 50 == 3
                        else "success"
                    )
                    if t < remember:
                        made.runs.setdefault(tid, []).append(run_id)
                    if n % 20 == 7:
                        timed_out.append((dag_id, run_id))
                        if t < remember:
                            made.timed_out.setdefault(tid, []).append(run_id)
                    yield _run_row(
                        engine, dag_id, run_id, state, START + timedelta(minutes=n, milliseconds=t)
                    )

        for batch in _batches(run_rows()):
            connection.execute(tables["dag_run"].insert(), batch)
        _insert_outcomes(connection, engine, tables, timed_out)
    return made


def insert_runs(engine: sa.Engine, dag_id: str, count: int) -> None:
    """``count`` finished runs of an existing DAG (the benches' Airflow baseline)."""
    tables = _tables(engine)
    with engine.begin() as connection:
        for batch in _batches(
            _run_row(engine, dag_id, str(uuid.uuid4()), "success", START + timedelta(minutes=n))
            for n in range(count)
        ):
            connection.execute(tables["dag_run"].insert(), batch)


def _insert_outcomes(
    connection: sa.Connection,
    engine: sa.Engine,
    tables: dict[str, sa.Table],
    timed_out: list[tuple[str, str]],
) -> None:
    """The timed-out runs' task instances and ``wallaroo_outcome`` XComs, as the runner leaves them."""
    if not timed_out:
        return
    run = tables["dag_run"]
    ids: dict[tuple[str, str], int] = {}
    dag_ids = sorted({d for d, _ in timed_out})
    for i in range(0, len(dag_ids), 500):
        rows = connection.execute(
            sa.select(run.c.dag_id, run.c.run_id, run.c.id).where(run.c.dag_id.in_(dag_ids[i : i + 500]))
        )
        ids.update({(d, r): pk for d, r, pk in rows})
    at = _time(engine, START)
    for batch in _batches(
        {
            "id": uuid.uuid4().hex,
            "task_id": RUN_TASK_ID,
            "dag_id": d,
            "run_id": r,
            "map_index": -1,
            "try_number": 1,
            "max_tries": 0,
            "pool": "default_pool",
            "pool_slots": 1,
            "state": "failed",
            "span_status": "not_started",
        }
        for d, r in timed_out
    ):
        connection.execute(tables["task_instance"].insert(), batch)
    for batch in _batches(
        {
            "dag_run_id": ids[(d, r)],
            "task_id": RUN_TASK_ID,
            "map_index": -1,
            "key": OUTCOME_XCOM_KEY,
            "dag_id": d,
            "run_id": r,
            "value": "timed_out",
            "timestamp": at,
        }
        for d, r in timed_out
    ):
        connection.execute(tables["xcom"].insert(), batch)
