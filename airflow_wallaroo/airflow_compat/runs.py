"""Runs of our DAGs, read from Airflow's ``dag_run`` and ``xcom`` tables as plain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XComModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEY, PACKAGING_DAG_ID, RUN_TASK_ID, TASK_DAG_PREFIX

_COLUMNS = (
    DagRun.dag_id,
    DagRun.run_id,
    DagRun.state,
    DagRun.queued_at,
    DagRun.run_after,
    DagRun.start_date,
    DagRun.end_date,
    DagRun.updated_at,
)


@dataclass(frozen=True)
class RunRecord:
    """One DAG run, as the task-run status is derived from it."""

    dag_id: str
    run_id: str
    state: str
    created_at: datetime
    updated_at: datetime
    end_date: datetime | None
    timed_out: bool
    #: The try of the run's task that ran last (1 the first, 2 its first retry...); 0: none yet.
    try_number: int = 0


def runs_of(
    session: Session,
    dag_id: str,
    *,
    limit: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[RunRecord]:
    """The DAG's runs, newest first (by creation), with their timeout outcome."""
    query = select(*_COLUMNS).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc())
    if since is not None:
        query = query.where(DagRun.run_after >= since)
    if until is not None:
        query = query.where(DagRun.run_after <= until)
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.execute(query))
    run_ids = [row.run_id for row in rows]
    timed_out = _timed_out(session, dag_id, run_ids)
    tries = _tries(session, dag_id, run_ids)
    return [_record(row, row.run_id in timed_out, tries.get(row.run_id, 0)) for row in rows]


def find_task_run(session: Session, run_id: str) -> RunRecord | None:
    """A run of any task DAG by its run id alone (our index on ``dag_run.run_id`` serves it)."""
    row = session.execute(
        select(*_COLUMNS).where(DagRun.run_id == run_id, DagRun.dag_id.startswith(TASK_DAG_PREFIX)).limit(1)
    ).first()
    if row is None:
        return None
    tries = _tries(session, row.dag_id, [row.run_id])
    return _record(row, bool(_timed_out(session, row.dag_id, [row.run_id])), tries.get(row.run_id, 0))


def packaging_states(session: Session, run_ids: Iterable[str]) -> dict[str, str]:
    """The state of each packaging run that exists, by run id, in one indexed query."""
    ids = list(set(run_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DagRun.run_id, DagRun.state).where(DagRun.dag_id == PACKAGING_DAG_ID, DagRun.run_id.in_(ids))
    )
    return {run_id: str(state) for run_id, state in rows}


def _record(row: Any, timed_out: bool, try_number: int = 0) -> RunRecord:
    created = row.queued_at or row.run_after
    updated = row.end_date or row.start_date or created
    if row.updated_at is not None and row.updated_at > updated:
        updated = row.updated_at
    return RunRecord(
        dag_id=row.dag_id,
        run_id=row.run_id,
        state=str(row.state),
        created_at=created,
        updated_at=updated,
        end_date=row.end_date,
        timed_out=timed_out,
        try_number=try_number,
    )


def _timed_out(session: Session, dag_id: str, run_ids: Sequence[str]) -> set[str]:
    if not run_ids:
        return set()
    rows = session.execute(
        select(XComModel.run_id, XComModel.value).where(
            XComModel.dag_id == dag_id, XComModel.run_id.in_(list(run_ids)), XComModel.key == OUTCOME_XCOM_KEY
        )
    )
    return {run_id for run_id, value in rows if "timed_out" in str(value)}


def _tries(session: Session, dag_id: str, run_ids: Sequence[str]) -> dict[str, int]:
    """The try number of each run's task, in one query."""
    if not run_ids:
        return {}
    rows = session.execute(
        select(TaskInstance.run_id, TaskInstance.try_number).where(
            TaskInstance.dag_id == dag_id,
            TaskInstance.run_id.in_(list(run_ids)),
            TaskInstance.task_id == RUN_TASK_ID,
        )
    )
    return {run_id: int(try_number or 0) for run_id, try_number in rows}
