"""``orchestration/list_all``: orchestrations across workspaces, each with its tasks and workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, literal
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import runs
from airflow_wallaroo.core.naming import TASK_DAG_PREFIX
from airflow_wallaroo.services import orchestrations, paging, tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow, WorkspaceRow


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
    at: paging.Window,
    *,
    workspace_ids: Sequence[int] = (),
    task_run_status: Sequence[str] = (),
    killed: bool | None = None,
    created_between: tuple[datetime, datetime] | None = None,
) -> paging.Page[OrchestrationEntry]:
    """One page of the caller's orchestrations (in ``workspace_ids``, or all theirs), newest first.

    The task filters keep the orchestrations that have a task matching them (``killed``; a
    run with a status in ``task_run_status``), in SQL, before paging. Each entry carries its
    newest tasks, at most the page's ``limit`` of them (``task/list`` with ``orch_id`` pages
    through the rest).
    """
    query = orchestrations.orchestrations_query(session, caller, workspace_ids, created_between)
    if killed is not None:
        its_task = exists().where(TaskRow.orch_id == OrchestrationRow.id, TaskRow.killed.is_(killed))
        query = query.where(its_task)
    if task_run_status and "all" not in task_run_status:
        dag_id = literal(TASK_DAG_PREFIX) + TaskRow.id
        query = query.where(
            exists().where(
                TaskRow.orch_id == OrchestrationRow.id,
                runs.has_run(dag_id, task_run_status, TaskRow.killed_at),
            )
        )
    rows, total = paging.fetch(session, query, at)
    found = orchestrations.with_status(session, rows, settings)
    by_orchestration = tasks.tasks_of_orchestrations(session, settings, [r.id for r in rows], at.limit)
    spaces = orchestrations.workspaces_by_id(session, [r.workspace_id for r in rows])
    entries = [
        OrchestrationEntry(
            orchestration=o,
            tasks=by_orchestration.get(o.row.id, []),
            workspace=spaces[o.row.workspace_id],
        )
        for o in found
    ]
    return paging.Page(items=entries, total=total, window=at)
