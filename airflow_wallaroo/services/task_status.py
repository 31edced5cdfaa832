"""Task and run status, derived from Airflow's DagModel / DagRun rows and the task row.

The mapping is written out in ``docs/status.md``; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from airflow.utils.state import DagRunState

from airflow_wallaroo.store.tables import TaskRow

ACTIVE = {DagRunState.QUEUED, DagRunState.RUNNING}
#: A continuous task whose last this-many finished runs all failed is in a crash loop.
CRASH_LOOP_RUNS = 3


@dataclass(frozen=True)
class RunFacts:
    """What the status of one run is derived from."""

    run_id: str
    state: DagRunState
    created_at: datetime
    updated_at: datetime
    end_date: datetime | None
    timed_out: bool


@dataclass(frozen=True)
class DagFacts:
    """What Airflow knows of a task's DAG: whether it is loaded, and whether paused."""

    loaded: bool
    paused: bool


def run_status(run: RunFacts, task: TaskRow) -> str:
    """``running``, ``success``, ``failure``, ``timed_out``, ``killed`` or ``unknown``."""
    if run.state in ACTIVE:
        return "running"
    if run.state == DagRunState.SUCCESS:
        return "success"
    if run.state == DagRunState.FAILED:
        if run.timed_out:
            return "timed_out"
        if task.killed and run.end_date is not None and run.end_date >= task.updated_at:
            return "killed"
        return "failure"
    return "unknown"


def task_status(
    task: TaskRow, dag: DagFacts, runs: Sequence[RunFacts], spec_error: str | None, processes_alive: bool = False
) -> str:
    """The task's status; ``runs`` are newest first.

    A killed task is ``killed`` only once no run is active and its cleanup is done
    (``processes_alive`` covers both: user processes left, or cleanup not finished).
    """
    active = any(r.state in ACTIVE for r in runs)
    if task.killed:
        return "pending_kill" if active or processes_alive or (dag.loaded and not dag.paused) else "killed"
    if spec_error:
        return "schedule_error"
    if task.paused:
        return "paused" if dag.paused and not active else "pending_pause"
    if dag.paused:
        return "pending_resume"
    if not dag.loaded:
        return "pending"
    if task.kind == "run_once":
        if not runs or runs[0].state == DagRunState.QUEUED:
            return "pending"
        return {"running": "started", "success": "success", "timed_out": "timed_out"}.get(
            run_status(runs[0], task), "failed"
        )
    finished = [r for r in runs if r.state not in ACTIVE][:CRASH_LOOP_RUNS]
    if task.kind == "run_continuously" and len(finished) == CRASH_LOOP_RUNS and all(
        r.state == DagRunState.FAILED for r in finished
    ):
        return "crash_loop"
    return "started"
