"""Task and run status, derived from Airflow's DAG and DAG-run state and the task row.

The mapping is written out in ``docs/status.md``; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from airflow_wallaroo.airflow_compat.dags import DagState
from airflow_wallaroo.airflow_compat.runs import RunRecord
from airflow_wallaroo.core.vocabulary import (
    ACTIVE_RUN_STATES,
    CRASH_LOOP_RUNS,
    RunStatus,
    TaskKind,
    TaskStatus,
)
from airflow_wallaroo.store.tables import TaskRow


@dataclass(frozen=True)
class TaskRun:
    """One run of a task, as the API shows it."""

    task_id: str
    run_id: str
    status: str
    created_at: datetime
    updated_at: datetime


def task_run(task: TaskRow, record: RunRecord) -> TaskRun:
    return TaskRun(
        task_id=task.id,
        run_id=record.run_id,
        status=run_status(record, task),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def run_status(run: RunRecord, task: TaskRow) -> str:
    """``running``, ``success``, ``failure``, ``timed_out``, ``killed`` or ``unknown``."""
    if run.state in ACTIVE_RUN_STATES:
        return RunStatus.RUNNING
    if run.state == "success":
        return RunStatus.SUCCESS
    if run.state == "failed":
        if run.timed_out:
            return RunStatus.TIMED_OUT
        if task.killed and run.end_date is not None and run.end_date >= task.updated_at:
            return RunStatus.KILLED
        return RunStatus.FAILURE
    return RunStatus.UNKNOWN


#: A run-once task's status by its run's; any other run status is ``failed``.
_ONCE_STATUS: dict[str, str] = {
    RunStatus.RUNNING: TaskStatus.STARTED,
    RunStatus.SUCCESS: TaskStatus.SUCCESS,
    RunStatus.TIMED_OUT: TaskStatus.TIMED_OUT,
}


def task_status(
    task: TaskRow,
    dag: DagState,
    runs: Sequence[RunRecord],
    spec_error: str | None,
    processes_alive: bool = False,
) -> str:
    """The task's status; ``runs`` are newest first.

    A killed task is ``killed`` only once no run is active and its cleanup is done
    (``processes_alive`` covers both: user processes left, or cleanup not finished).
    """
    active = any(r.state in ACTIVE_RUN_STATES for r in runs)
    if task.killed:
        return (
            TaskStatus.PENDING_KILL
            if active or processes_alive or (dag.loaded and not dag.paused)
            else TaskStatus.KILLED
        )
    if spec_error:
        return TaskStatus.SCHEDULE_ERROR
    if task.paused:
        return TaskStatus.PAUSED if dag.paused and not active else TaskStatus.PENDING_PAUSE
    if dag.paused:
        return TaskStatus.PENDING_RESUME
    if not dag.loaded:
        return TaskStatus.PENDING
    if task.kind == TaskKind.RUN_ONCE:
        if not runs or runs[0].state == "queued":
            return TaskStatus.PENDING
        return _ONCE_STATUS.get(run_status(runs[0], task), TaskStatus.FAILED)
    finished = [r for r in runs if r.state not in ACTIVE_RUN_STATES][:CRASH_LOOP_RUNS]
    if (
        task.kind == TaskKind.RUN_CONTINUOUSLY
        and len(finished) == CRASH_LOOP_RUNS
        and all(r.state == "failed" for r in finished)
    ):
        return TaskStatus.CRASH_LOOP
    return TaskStatus.STARTED
