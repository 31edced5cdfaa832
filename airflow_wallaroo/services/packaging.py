"""Packaging runs: triggering them, and reading an orchestration's status from them.

The status is not stored: it is the state of the orchestration's ``wallaroo_packaging``
DAG run, read from Airflow's own ``dag_run`` table by its (dag_id, run_id) key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import dags, runs
from airflow_wallaroo.core.naming import PACKAGING_DAG_ID
from airflow_wallaroo.store.tables import OrchestrationRow

log = logging.getLogger(__name__)

#: Orchestration status by the state of its packaging run (None: no run yet).
STATUS_BY_RUN_STATE = {
    None: "pending_packaging",
    "queued": "pending_packaging",
    "running": "packaging",
    "success": "ready",
    "failed": "error",
}


def packaging_states(session: Session, run_ids: Iterable[str]) -> dict[str, str]:
    """The state of each packaging run that exists, by run id."""
    return runs.packaging_states(session, run_ids)


def status_of(state: str | None) -> str:
    return STATUS_BY_RUN_STATE.get(state, "packaging")


def trigger_packaging(orchestration: OrchestrationRow, user_name: str | None) -> bool:
    """Start the packaging run of an orchestration; False if the packaging DAG is not loaded yet.

    Safe to call again: the run id is fixed per orchestration, so a second call finds
    the first run instead of starting another.
    """
    result = dags.trigger_run(
        PACKAGING_DAG_ID,
        run_id=orchestration.packaging_run_id,
        conf={
            "orchestration_id": orchestration.id,
            "sha": orchestration.sha,
            "requirements": orchestration.requirements,
        },
        user_name=user_name,
    )
    if result is dags.TriggerResult.DAG_MISSING:
        log.warning("Packaging DAG %s not loaded yet; %s stays pending", PACKAGING_DAG_ID, orchestration.id)
        return False
    return True


def packaging_dag_loaded(session: Session) -> bool:
    """True once the dag-processor has serialized the packaging DAG."""
    return dags.is_serialized(session, PACKAGING_DAG_ID)
