"""``/v1/api/config``: what the Wallaroo SDK's ``Client()`` fetches, unauthenticated, when it starts.

The SDK keeps the answer as its platform config and reads nothing from it that this
API would need to provide; answering lets ``wallaroo.Client()`` start inside a task run,
so user code written for Wallaroo (``in_task()``, ``task_args()``) runs unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter

import airflow_wallaroo

router = APIRouter(tags=["platform"])


@router.get("/config")
def platform_config() -> dict[str, str]:
    """Name and version of the platform behind the API; no secret, no user data."""
    return {"platform": "airflow-wallaroo", "version": airflow_wallaroo.__version__}
