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
from airflow_wallaroo.core.vocabulary import ACTIVE_RUN_STATES, RunOutcome

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
    #: The run's outcome XCom (``RunOutcome``), if its operator or a replace pushed one.
    outcome: str | None = None
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
    outcomes = _outcomes(session, dag_id, run_ids)
    tries = _tries(session, dag_id, run_ids)
    return [_record(row, outcomes.get(row.run_id), tries.get(row.run_id, 0)) for row in rows]


def find_task_run(session: Session, run_id: str) -> RunRecord | None:
    """A run of any task DAG by its run id alone (our index on ``dag_run.run_id`` serves it)."""
    row = session.execute(
        select(*_COLUMNS).where(DagRun.run_id == run_id, DagRun.dag_id.startswith(TASK_DAG_PREFIX)).limit(1)
    ).first()
    if row is None:
        return None
    tries = _tries(session, row.dag_id, [row.run_id])
    outcomes = _outcomes(session, row.dag_id, [row.run_id])
    return _record(row, outcomes.get(row.run_id), tries.get(row.run_id, 0))


def packaging_states(session: Session, run_ids: Iterable[str]) -> dict[str, str]:
    """The state of each packaging run that exists, by run id, in one indexed query."""
    ids = list(set(run_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DagRun.run_id, DagRun.state).where(DagRun.dag_id == PACKAGING_DAG_ID, DagRun.run_id.in_(ids))
    )
    return {run_id: str(state) for run_id, state in rows}


def _record(row: Any, outcome: str | None, try_number: int = 0) -> RunRecord:
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
        timed_out=outcome == RunOutcome.TIMED_OUT,
        outcome=outcome,
        try_number=try_number,
    )


def _outcomes(session: Session, dag_id: str, run_ids: Sequence[str]) -> dict[str, str]:
    """The outcome XCom of each run that has one."""
    if not run_ids:
        return {}
    rows = session.execute(
        select(XComModel.run_id, XComModel.value).where(
            XComModel.dag_id == dag_id, XComModel.run_id.in_(list(run_ids)), XComModel.key == OUTCOME_XCOM_KEY
        )
    )
    found = {}
    for run_id, value in rows:
        text = str(value).strip('"')
        found[run_id] = next((o.value for o in RunOutcome if o.value in text), text)
    return found


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


def overlapping_task_runs(session: Session) -> dict[str, list[str]]:
    """Task DAGs with more than one active run: their active run ids, newest first, in one query."""
    rows = session.execute(
        select(DagRun.dag_id, DagRun.run_id)
        .where(DagRun.state.in_(ACTIVE_RUN_STATES), DagRun.dag_id.startswith(TASK_DAG_PREFIX))
        .order_by(DagRun.id.desc())
    )
    active: dict[str, list[str]] = {}
    for dag_id, run_id in rows:
        active.setdefault(dag_id, []).append(run_id)
    return {dag_id: ids for dag_id, ids in active.items() if len(ids) > 1}


def set_outcome(session: Session, dag_id: str, run_id: str, outcome: str) -> None:
    """Record a run's outcome XCom from outside its task (a run replaced by a newer one)."""
    XComModel.set(
        key=OUTCOME_XCOM_KEY,
        value=outcome,
        dag_id=dag_id,
        task_id=RUN_TASK_ID,
        run_id=run_id,
        session=session,
    )
