"""Airflow's view of our DAGs: loaded or not, paused or not; parse requests; triggers; failing runs."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from airflow.api.common.mark_tasks import set_dag_run_state_to_failed
from airflow.api.common.trigger_dag import trigger_dag
from airflow.exceptions import DagNotFound, DagRunAlreadyExists
from airflow.models.dag import DagModel
from airflow.models.dagbag import DagPriorityParsingRequest, DBDagBag
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.utils.types import DagRunTriggeredByType
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat.config import dags_folder_bundle
from airflow_wallaroo.core.vocabulary import ACTIVE_RUN_STATES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DagState:
    """What Airflow knows of a DAG: whether the dag-processor has loaded it, and whether it is paused."""

    loaded: bool
    paused: bool


NOT_LOADED = DagState(loaded=False, paused=False)


def dag_states(session: Session, dag_ids: Iterable[str]) -> dict[str, DagState]:
    """Each DAG's state, in one query; DAGs Airflow does not know are left out."""
    ids = list(set(dag_ids))
    if not ids:
        return {}
    rows = session.execute(select(DagModel.dag_id, DagModel.is_paused).where(DagModel.dag_id.in_(ids)))
    return {dag_id: DagState(loaded=True, paused=bool(paused)) for dag_id, paused in rows}


def set_paused(session: Session, dag_id: str, paused: bool) -> bool:
    """Pause or unpause a DAG as Airflow's own REST API does; False if Airflow does not know it yet."""
    dag = session.get(DagModel, dag_id)
    if dag is None:
        return False
    dag.is_paused = paused
    session.flush()
    return True


def is_serialized(session: Session, dag_id: str) -> bool:
    """True once the dag-processor has serialized the DAG (it can be triggered)."""
    found = session.scalar(select(SerializedDagModel.id).where(SerializedDagModel.dag_id == dag_id).limit(1))
    return found is not None


def request_parse(session: Session, relative_fileloc: str) -> None:
    """Ask the dag-processor to parse one file of the DAG-folder bundle next.

    Idempotent: a request already waiting for the same file is kept (Airflow keys requests
    by bundle and file), so parallel callers never collide on its primary key.
    """
    table: Any = DagPriorityParsingRequest.__table__
    values = {"bundle_name": dags_folder_bundle(), "relative_fileloc": relative_fileloc}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:
        statement = insert(table).values(**values).prefix_with("IGNORE")
    session.execute(statement)


class TriggerResult(enum.Enum):
    """How a trigger ended: a new run, a run that already had that id, no such DAG yet, or a
    DAG that allows no manual run (a killed task's)."""

    STARTED = "started"
    EXISTS = "exists"
    DAG_MISSING = "dag_missing"
    REFUSED = "refused"


def trigger_run(
    dag_id: str, run_id: str, conf: dict[str, Any], user_name: str | None, note: str | None = None
) -> TriggerResult:
    """Start a manual run of ``dag_id`` with our own run id, in Airflow's own transaction,
    as Airflow's Trigger button does; ``note`` is the run note its UI shows."""
    try:
        trigger_dag(
            dag_id,
            run_id=run_id,
            conf=conf,
            triggered_by=DagRunTriggeredByType.REST_API,
            triggering_user_name=user_name,
            note=note,
        )
    except DagRunAlreadyExists:
        return TriggerResult.EXISTS
    except DagNotFound:
        return TriggerResult.DAG_MISSING
    except ValueError:  # "Dag ... does not allow manual runs"
        return TriggerResult.REFUSED
    return TriggerResult.STARTED


def active_run_ids(session: Session, dag_id: str) -> list[str]:
    """Ids of the DAG's runs that have not ended (queued or running)."""
    return list(
        session.scalars(
            select(DagRun.run_id).where(DagRun.dag_id == dag_id, DagRun.state.in_(ACTIVE_RUN_STATES))
        )
    )


def fail_active_runs(session: Session, dag_id: str, note: str | None = None) -> list[str]:
    """Fail every active run with Airflow's own function (the task supervisor then stops the tasks).

    ``note``: the run note each of them carries in Airflow's UI (why it failed).
    """
    return fail_runs(session, dag_id, active_run_ids(session, dag_id), note)


def fail_runs(session: Session, dag_id: str, run_ids: list[str], note: str | None = None) -> list[str]:
    """Fail these runs with Airflow's own function, each with ``note`` if given."""
    if run_ids and note is not None:
        set_run_notes(session, dag_id, run_ids, note)
    if not run_ids:
        return []
    dag = DBDagBag().get_latest_version_of_dag(dag_id, session=session)
    if dag is None:
        log.warning(
            "DAG %s has active runs but no serialized version; they are left to the scheduler", dag_id
        )
        return []
    for run_id in run_ids:
        set_dag_run_state_to_failed(dag=dag, run_id=run_id, commit=True, session=session)
    session.flush()
    return run_ids


def set_run_notes(session: Session, dag_id: str, run_ids: Iterable[str], note: str) -> None:
    """Give runs the note Airflow's UI shows on them (replacing any), as its REST API does."""
    runs = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id.in_(list(run_ids))))
    for run in runs:
        run.note = note
    session.flush()
