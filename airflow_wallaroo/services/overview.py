"""``orchestration/list_all``: orchestrations across workspaces, each with its tasks and workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from airflow_wallaroo.services import orchestrations, tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import WorkspaceRow


@dataclass(frozen=True)
class OrchestrationEntry:
    """One orchestration with its tasks and its workspace."""

    orchestration: orchestrations.Orchestration
    tasks: list[tasks.Task]
    workspace: WorkspaceRow


def list_all(
    session: Session,
    caller: Caller,
    settings: WallarooSettings,
    *,
    workspace_ids: Sequence[int] = (),
    task_run_status: Sequence[str] = (),
    killed: bool | None = None,
    created_between: tuple[datetime, datetime] | None = None,
) -> list[OrchestrationEntry]:
    """The caller's orchestrations (in ``workspace_ids``, or all of theirs), newest first.

    The task filters (``killed``, ``task_run_status``) keep the orchestrations that have a
    task matching them, with all their tasks.
    """
    found = orchestrations.list_orchestrations(
        session, caller, settings, workspace_ids=workspace_ids, created_between=created_between
    )
    by_orchestration: dict[str, list[tasks.Task]] = {}
    for task in tasks.list_tasks(session, caller, settings):
        by_orchestration.setdefault(task.row.orch_id, []).append(task)
    spaces = orchestrations.workspaces_by_id(session, [o.row.workspace_id for o in found])
    entries = []
    for orchestration in found:
        its_tasks = by_orchestration.get(orchestration.row.id, [])
        if killed is not None and not any(t.row.killed == killed for t in its_tasks):
            continue
        if task_run_status and not any(r.status in task_run_status for t in its_tasks for r in t.last_runs):
            continue
        entries.append(
            OrchestrationEntry(
                orchestration=orchestration, tasks=its_tasks, workspace=spaces[orchestration.row.workspace_id]
            )
        )
    return entries
