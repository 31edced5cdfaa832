"""A Python client of the ML Workload Orchestration API: httpx and the standard library only.

    from airflow_wallaroo.client import WallarooClient

    with WallarooClient.from_password("http://127.0.0.1:8080", "admin", password) as client:
        orchestration_id = client.upload_orchestration("examples/hello", workspace_id=1)
        ready = client.wait_for_orchestration(orchestration_id)
        task_id = client.run_once(ready.workspace_id, ready.id, {"greeting": "hi"})

Nothing in this package imports Airflow, so it installs and runs on any machine.
"""

from __future__ import annotations

from airflow_wallaroo.client.api import WallarooClient, fetch_token
from airflow_wallaroo.client.errors import WallarooApiError, WallarooClientError, WallarooConnectionError
from airflow_wallaroo.client.models import (
    DeleteResult,
    Download,
    Orchestration,
    OrchestrationListing,
    RunSummary,
    Task,
    TaskRun,
    Workspace,
    WorkspaceUser,
)

__all__ = [
    "DeleteResult",
    "Download",
    "Orchestration",
    "OrchestrationListing",
    "RunSummary",
    "Task",
    "TaskRun",
    "WallarooApiError",
    "WallarooClient",
    "WallarooClientError",
    "WallarooConnectionError",
    "Workspace",
    "WorkspaceUser",
    "fetch_token",
]
