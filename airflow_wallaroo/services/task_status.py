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
    RunOutcome,
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
    #: Which try of the run ran last: 1 the first, 2 after one retry...; 0 before the first.
    try_number: int = 0


def task_run(task: TaskRow, record: RunRecord) -> TaskRun:
    return TaskRun(
        task_id=task.id,
        run_id=record.run_id,
        status=run_status(record, task),
        created_at=record.created_at,
        updated_at=record.updated_at,
        try_number=record.try_number,
    )


def run_status(run: RunRecord, task: TaskRow) -> str:
    """``running``, ``success``, ``failure``, ``timed_out``, ``killed``, ``skipped`` or ``unknown``."""
    if run.state in ACTIVE_RUN_STATES:
        return RunStatus.RUNNING
    if run.state == "success":
        return RunStatus.SKIPPED if run.outcome == RunOutcome.SKIPPED else RunStatus.SUCCESS
    if run.state == "failed":
        if run.timed_out:
            return RunStatus.TIMED_OUT
        if run.outcome == RunOutcome.REPLACED:
            return RunStatus.KILLED
        if task.killed_at is not None and run.end_date is not None and run.end_date >= task.killed_at:
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
    cleanup_pending: bool = False,
) -> str:
    """The task's status; ``runs`` are newest first.

    Airflow is the truth for what it owns: a pause or unpause made in its UI, CLI or REST
    API shows here as ``paused`` or ``started``. ``pending_pause``/``pending_resume`` only
    last while a pause asked through this API waits for the task's DAG to exist. A killed
    task is ``killed`` once no run is active and its cleanup is done (``cleanup_pending``:
    user processes left, or logs not yet deleted), whatever is done to its DAG since.
    """
    active = any(r.state in ACTIVE_RUN_STATES for r in runs)
    if task.killed:
        return TaskStatus.PENDING_KILL if active or cleanup_pending else TaskStatus.KILLED
    if spec_error:
        return TaskStatus.SCHEDULE_ERROR
    if task.pause_requested_at is not None:
        return TaskStatus.PENDING_PAUSE if task.paused else TaskStatus.PENDING_RESUME
    if task.kind == TaskKind.RUN_ONCE and runs and runs[0].state not in ACTIVE_RUN_STATES:
        # A run-once task that ran is over, paused or not.
        return _ONCE_STATUS.get(run_status(runs[0], task), TaskStatus.FAILED)
    if not dag.loaded:
        return TaskStatus.PENDING
    if dag.paused:
        return TaskStatus.PAUSED
    if task.kind == TaskKind.RUN_ONCE:
        return TaskStatus.STARTED if active and runs[0].state == "running" else TaskStatus.PENDING
    finished = [r for r in runs if r.state not in ACTIVE_RUN_STATES][:CRASH_LOOP_RUNS]
    if (
        task.kind == TaskKind.RUN_CONTINUOUSLY
        and len(finished) == CRASH_LOOP_RUNS
        and all(r.state == "failed" for r in finished)
    ):
        return TaskStatus.CRASH_LOOP
    return TaskStatus.STARTED
