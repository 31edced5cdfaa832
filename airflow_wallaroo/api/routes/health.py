"""``/v1/health``: unauthenticated readiness, like Airflow's own ``/api/v2/monitor/health``."""

from __future__ import annotations

from fastapi import APIRouter

from airflow_wallaroo.api.deps import SessionDep
from airflow_wallaroo.services import packaging

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, bool]:
    """Say whether the API can accept uploads: the packaging DAG must be loaded."""
    return {"api": True, "packaging_dag": packaging.packaging_dag_loaded(session)}
