"""Packaging runs: triggering them, and reading an orchestration's status from them.

The status is not stored: it is the state of the orchestration's ``wallaroo_packaging``
DAG run, read from Airflow's own ``dag_run`` table by its (dag_id, run_id) key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from airflow.exceptions import DagNotFound, DagRunAlreadyExists
from airflow.models.dagrun import DagRun
from airflow.utils.state import DagRunState
from airflow.utils.types import DagRunTriggeredByType
from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.store.tables import OrchestrationRow
from dags_factory.packaging import PACKAGING_DAG_ID

log = logging.getLogger(__name__)

STATUS_BY_RUN_STATE = {
    None: "pending_packaging",
    DagRunState.QUEUED: "pending_packaging",
    DagRunState.RUNNING: "packaging",
    DagRunState.SUCCESS: "ready",
    DagRunState.FAILED: "error",
}


def packaging_states(session: Session, run_ids: Iterable[str]) -> dict[str, DagRunState]:
    """Return the state of each packaging run that exists, in one indexed query."""
    ids = list(set(run_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DagRun.run_id, DagRun.state).where(DagRun.dag_id == PACKAGING_DAG_ID, DagRun.run_id.in_(ids))
    )
    return {run_id: DagRunState(state) for run_id, state in rows}


def status_of(state: DagRunState | None) -> str:
    return STATUS_BY_RUN_STATE.get(state, "packaging")


def trigger_packaging(orchestration: OrchestrationRow, user_name: str | None) -> bool:
    """Start the packaging run of an orchestration; False if the packaging DAG is not loaded yet.

    Safe to call again: the run id is fixed per orchestration, so a second call finds
    the first run instead of starting another.
    """
    from airflow.api.common.trigger_dag import trigger_dag

    try:
        trigger_dag(
            PACKAGING_DAG_ID,
            run_id=orchestration.packaging_run_id,
            conf={
                "orchestration_id": orchestration.id,
                "sha": orchestration.sha,
                "requirements": orchestration.requirements,
            },
            triggered_by=DagRunTriggeredByType.REST_API,
            triggering_user_name=user_name,
        )
    except DagRunAlreadyExists:
        return True
    except DagNotFound:
        log.warning("Packaging DAG %s not loaded yet; %s stays pending", PACKAGING_DAG_ID, orchestration.id)
        return False
    return True


def packaging_dag_loaded(session: Session) -> bool:
    """True once the dag-processor has serialized the packaging DAG."""
    from airflow.models.serialized_dag import SerializedDagModel

    return session.scalar(select(SerializedDagModel.id).where(SerializedDagModel.dag_id == PACKAGING_DAG_ID).limit(1)) is not None
