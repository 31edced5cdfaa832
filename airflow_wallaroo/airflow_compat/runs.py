"""Runs of our DAGs, read from Airflow's ``dag_run`` and ``xcom`` tables as plain records.

Every read here is one statement over an index, whatever the number of runs:
- a task's timeout outcome is an XCom outer-joined by ``xcom``'s primary key (its run's
  ``dag_run.id``, our run task, map index -1, our key), joined in the same query;
- a page of a task's runs walks ``(dag_id, updated_at, id)`` (our migration 0006) newest
  first, the run status filtered in SQL, never loading runs it does not answer;
- every task's newest runs are one ``UNION ALL`` of per-DAG ranges of that same index.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XComModel
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    column,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEYS, PACKAGING_DAG_ID, RUN_TASK_ID, TASK_DAG_PREFIX
from airflow_wallaroo.core.vocabulary import ACTIVE_RUN_STATES, RunOutcome, RunStatus

#: When a task was killed: a time, a column of our task table, or None (never killed).
KilledAt = datetime | SQLColumnExpression[Any] | None


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


def _has_outcome(outcome: RunOutcome) -> ColumnElement[bool]:
    """Whether the run's task recorded this outcome: a primary-key probe of ``xcom``."""
    return exists().where(
        XComModel.dag_run_id == DagRun.id,
        XComModel.task_id == RUN_TASK_ID,
        XComModel.map_index == -1,
        XComModel.key == OUTCOME_XCOM_KEYS[outcome],
    )


#: The run's outcome, outer-joined by ``xcom``'s primary key: one probe per key per run answered.
_OUTCOME = aliased(XComModel, name="outcome")
#: The run's task instance (its try number), outer-joined by Airflow's unique index on it.
_TRY = aliased(TaskInstance, name="run_try")
_OUTCOME_OF_KEY = {key: RunOutcome(outcome) for outcome, key in OUTCOME_XCOM_KEYS.items()}


def _select_runs() -> Select[Any]:
    """The columns a run record needs, its outcome and try number outer-joined."""
    return (
        select(
            DagRun.dag_id,
            DagRun.run_id,
            DagRun.state,
            DagRun.queued_at,
            DagRun.run_after,
            DagRun.start_date,
            DagRun.end_date,
            DagRun.updated_at,
            _OUTCOME.key.label("outcome_key"),
            _TRY.try_number.label("try_number"),
        )
        .select_from(DagRun)
        .outerjoin(
            _OUTCOME,
            and_(
                _OUTCOME.dag_run_id == DagRun.id,
                _OUTCOME.task_id == RUN_TASK_ID,
                _OUTCOME.map_index == -1,
                _OUTCOME.key.in_(sorted(OUTCOME_XCOM_KEYS.values())),
            ),
        )
        .outerjoin(
            _TRY,
            and_(
                _TRY.dag_id == DagRun.dag_id,
                _TRY.run_id == DagRun.run_id,
                _TRY.task_id == RUN_TASK_ID,
                _TRY.map_index == -1,
            ),
        )
    )


def status_condition(status: str, killed_at: KilledAt) -> ColumnElement[bool]:
    """SQL over ``dag_run`` for one run status (``services.task_status.run_status`` in SQL)."""
    failed = DagRun.state == "failed"
    succeeded = DagRun.state == "success"
    if status == RunStatus.RUNNING:
        return DagRun.state.in_(sorted(ACTIVE_RUN_STATES))
    if status == RunStatus.SUCCESS:
        return and_(succeeded, not_(_has_outcome(RunOutcome.SKIPPED)))
    if status == RunStatus.SKIPPED:
        return and_(succeeded, _has_outcome(RunOutcome.SKIPPED))
    timed_out = _has_outcome(RunOutcome.TIMED_OUT)
    if status == RunStatus.TIMED_OUT:
        return and_(failed, timed_out)
    killed = or_(_has_outcome(RunOutcome.REPLACED), _killed(killed_at))
    if status == RunStatus.KILLED:
        return and_(failed, not_(timed_out), killed)
    if status == RunStatus.FAILURE:
        return and_(failed, not_(timed_out), not_(killed))
    known = sorted({*ACTIVE_RUN_STATES, "success", "failed"})
    return or_(DagRun.state.is_(None), DagRun.state.not_in(known))  # unknown


def _killed(killed_at: KilledAt) -> ColumnElement[bool]:
    if killed_at is None:
        return false()
    if isinstance(killed_at, datetime):
        return and_(DagRun.end_date.is_not(None), DagRun.end_date >= killed_at)
    return and_(killed_at.is_not(None), DagRun.end_date.is_not(None), DagRun.end_date >= killed_at)


def runs_page(
    session: Session,
    dag_id: str,
    *,
    statuses: Sequence[str] = (),
    killed_at: KilledAt = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[RunRecord], int]:
    """One page of the DAG's runs, newest ``updated_at`` first, and how many match in all."""
    conditions: list[ColumnElement[bool]] = [DagRun.dag_id == dag_id]
    if statuses:
        conditions.append(_any_status(statuses, killed_at))
    if since is not None:
        conditions.append(DagRun.run_after >= since)
    if until is not None:
        conditions.append(DagRun.run_after <= until)
    total = session.scalar(select(func.count()).select_from(DagRun).where(*conditions)) or 0
    if offset >= total:
        return [], total
    query = (
        _select_runs()
        .where(*conditions)
        .order_by(DagRun.updated_at.desc(), DagRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_record(row) for row in session.execute(query)], total


def page_query_for_plan(dag_id: str, limit: int) -> Any:
    """The page query of ``runs_page`` (no filter), for the bench's EXPLAIN."""
    return (
        _select_runs()
        .where(DagRun.dag_id == dag_id)
        .order_by(DagRun.updated_at.desc(), DagRun.id.desc())
        .limit(limit)
    )


#: DAGs per statement of ``last_runs``: SQLite allows 500 terms in a compound SELECT.
LAST_RUNS_CHUNK = 400


def last_runs(session: Session, dag_ids: Sequence[str], per_dag: int) -> dict[str, list[RunRecord]]:
    """Each DAG's newest ``per_dag`` runs (newest ``updated_at`` first, as ``runs_page``).

    One statement per 400 DAGs: a ``UNION ALL`` of one index range per DAG, each reading
    exactly its ``per_dag`` newest entries of ``(dag_id, updated_at, id)`` (a window over
    ``dag_id`` would read every run of every DAG of the page).
    """
    if not dag_ids or per_dag < 1:
        return {}
    found: dict[str, list[RunRecord]] = {}
    ids = list(dict.fromkeys(dag_ids))
    for start in range(0, len(ids), LAST_RUNS_CHUNK):
        for row in session.execute(last_runs_query(ids[start : start + LAST_RUNS_CHUNK], per_dag)):
            found.setdefault(row.dag_id, []).append(_record(row))
    return found


def last_runs_query(dag_ids: Sequence[str], per_dag: int) -> Any:
    """The ``UNION ALL`` of ``last_runs``; written as text because SQLAlchemy takes ~0.4 ms
    per leg to build a compound of subqueries, which would cost more than the query."""
    params = {f"d{i}": dag_id for i, dag_id in enumerate(dag_ids)}
    newest = (
        text(_newest_ids_sql(len(dag_ids), per_dag))
        .bindparams(**params)
        .columns(column("id", Integer))
        .subquery("newest")
    )
    return (
        _select_runs()
        .join(newest, newest.c.id == DagRun.id)
        .order_by(DagRun.dag_id, DagRun.updated_at.desc(), DagRun.id.desc())
    )


@functools.lru_cache(maxsize=64)
def _newest_ids_sql(count: int, per_dag: int) -> str:
    table = DagRun.__tablename__
    leg = (
        f"SELECT id FROM (SELECT {table}.id AS id FROM {table} WHERE {table}.dag_id = :d{{i}} "
        f"ORDER BY {table}.updated_at DESC, {table}.id DESC LIMIT {int(per_dag)}) AS leg{{i}}"
    )
    return " UNION ALL ".join(leg.format(i=i) for i in range(count))


def has_run(
    dag_id: SQLColumnExpression[str], statuses: Sequence[str], killed_at: KilledAt
) -> ColumnElement[bool]:
    """EXISTS a run of the DAG (``dag_id`` an SQL expression) with one of the statuses."""
    return exists().where(DagRun.dag_id == dag_id, _any_status(statuses, killed_at))


def _any_status(statuses: Sequence[str], killed_at: KilledAt) -> ColumnElement[bool]:
    # Each status once: a filter may repeat one a thousand times, and SQLite's expression
    # depth is 1000.
    return or_(*(status_condition(s, killed_at) for s in sorted(set(statuses))))


def find_task_run(session: Session, run_id: str) -> RunRecord | None:
    """A run of any task DAG by its run id alone (our index on ``dag_run.run_id`` serves it)."""
    row = session.execute(
        _select_runs().where(DagRun.run_id == run_id, DagRun.dag_id.startswith(TASK_DAG_PREFIX)).limit(1)
    ).first()
    return None if row is None else _record(row)


def packaging_states(session: Session, run_ids: Iterable[str]) -> dict[str, str]:
    """The state of each packaging run that exists, by run id, in one indexed query."""
    ids = list(set(run_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DagRun.run_id, DagRun.state).where(DagRun.dag_id == PACKAGING_DAG_ID, DagRun.run_id.in_(ids))
    )
    return {run_id: str(state) for run_id, state in rows}


def _record(row: Any) -> RunRecord:
    outcome = _OUTCOME_OF_KEY.get(row.outcome_key) if row.outcome_key is not None else None
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
        try_number=int(row.try_number or 0),
    )


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
        key=OUTCOME_XCOM_KEYS[outcome],
        value=outcome,
        dag_id=dag_id,
        task_id=RUN_TASK_ID,
        run_id=run_id,
        session=session,
    )
