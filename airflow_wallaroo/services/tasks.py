"""Tasks: create (run once, scheduled, continuous), read with their status, kill, pause."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import ForbiddenError, InvalidRequestError, NotFoundError
from airflow_wallaroo.services import orchestrations, runs, specs, task_control, workspaces
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.services.task_status import RunFacts, task_status
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow
from airflow_wallaroo.timeutil import utcnow

LAST_RUNS = 5
#: Statuses of a task that will never run again by itself.
FINISHED = {"success", "failed", "timed_out", "killed"}


@dataclass(frozen=True)
class Task:
    """A task as the API shows it: its row, derived status and newest runs."""

    row: TaskRow
    status: str
    last_runs: list[RunFacts]
    statuses: dict[str, str]


def validate_schedule(schedule: str) -> str:
    """Five-field cron, checked with croniter before anything is written."""
    schedule = schedule.strip()
    if len(schedule.split()) != 5 or not croniter.is_valid(schedule):
        raise InvalidRequestError(f"schedule: {schedule!r} is not a valid five-field cron expression")
    return schedule


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A Kubernetes Secret's name: a DNS-1123 subdomain.
SECRET_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def validate_env_vars(env: dict[str, str]) -> dict[str, str]:
    for name in env:
        if not ENV_NAME.fullmatch(name):
            raise InvalidRequestError(f"extra_env_vars: {name!r} is not a valid environment variable name")
    return env


def validate_secret_names(names: list[str]) -> list[str]:
    for name in names:
        if len(name) > 253 or not SECRET_NAME.fullmatch(name):
            raise InvalidRequestError(f"bind_secrets: {name!r} is not a valid Kubernetes secret name")
    return names


def create_task(
    session: Session,
    caller: Caller,
    settings: WallarooSettings,
    *,
    kind: str,
    workspace_id: int,
    orch_id: str,
    arguments: dict[str, Any],
    name: str | None = None,
    timeout: int | None = None,
    schedule: str | None = None,
    debug: bool = False,
    extra_env_vars: dict[str, str] | None = None,
    bind_secrets: list[str] | None = None,
) -> TaskRow:
    """Record the task and publish its spec; the generated DAG does the rest."""
    workspaces.require_member(session, caller, workspace_id)
    orchestration = orchestrations.get_orchestration(session, caller, orch_id, settings)
    if orchestration.row.workspace_id != workspace_id:
        raise InvalidRequestError(f"orch_id: orchestration {orch_id} is not in workspace {workspace_id}")
    orchestrations.require_ready(orchestration)
    if timeout is not None and timeout <= 0:
        raise InvalidRequestError("timeout: must be a positive number of seconds")
    task = TaskRow(
        id=str(uuid.uuid4()),
        name=name,
        kind=kind,
        workspace_id=workspace_id,
        orch_id=orch_id,
        orch_sha=orchestration.row.sha,
        owner_id=caller.user_id,
        schedule=validate_schedule(schedule) if kind == "run_scheduled" else None,
        timeout=timeout,
        arguments=json.dumps(arguments),
        extra_env_vars=json.dumps(validate_env_vars(extra_env_vars or {})),
        bind_secrets=json.dumps(validate_secret_names(bind_secrets or [])),
        debug=debug,
        first_run_id=str(uuid.uuid4()),
        killed=False,
        paused=False,
        created_at=utcnow(),
    )
    session.add(task)
    session.flush()
    # Row first, then the spec: a crash in between is healed by reconcile, never the reverse.
    session.commit()
    specs.publish_task(session, task, orchestration.row, settings)
    session.commit()
    return task


def require_task(session: Session, caller: Caller, task_id: str) -> TaskRow:
    task = session.get(TaskRow, task_id)
    if task is None:
        raise NotFoundError(f"id: task {task_id} does not exist")
    try:
        workspaces.require_member(session, caller, task.workspace_id)
    except ForbiddenError:
        raise ForbiddenError(f"id: task {task_id} is in a workspace you are not a member of") from None
    return task


def describe(session: Session, settings: WallarooSettings, rows: Sequence[TaskRow], run_limit: int = LAST_RUNS) -> list[Task]:
    """Attach status and newest runs to task rows."""
    dags = runs.dag_facts(session, [t.id for t in rows])
    result = []
    for row in rows:
        facts = runs.run_facts(session, row.id, limit=max(run_limit, LAST_RUNS))
        # A kill is only done once its cleanup finished; until then it is pending.
        alive = row.killed and (
            task_control.user_processes_alive(settings, row.id) or not task_control.kill_finished(settings, row.id)
        )
        status = task_status(row, dags[row.id], facts, specs.spec_error(settings, row.id), alive)
        result.append(Task(row=row, status=status, last_runs=facts[:run_limit],
                           statuses={f.run_id: runs_status(f, row) for f in facts[:run_limit]}))
    return result


def runs_status(facts: RunFacts, row: TaskRow) -> str:
    from airflow_wallaroo.services.task_status import run_status

    return run_status(facts, row)


def get_task(session: Session, caller: Caller, settings: WallarooSettings, task_id: str) -> Task:
    return describe(session, settings, [require_task(session, caller, task_id)])[0]


def list_tasks(
    session: Session,
    caller: Caller,
    settings: WallarooSettings,
    *,
    workspace_id: int | None = None,
    killed: bool | None = None,
    orch_id: str | None = None,
    orch_sha: str | None = None,
    run_limit: int = LAST_RUNS,
) -> list[Task]:
    if workspace_id is not None:
        workspaces.require_member(session, caller, workspace_id)
        allowed = [workspace_id]
    else:
        allowed = workspaces.workspace_ids_of(session, caller)
    query = select(TaskRow).where(TaskRow.workspace_id.in_(allowed))
    if killed is not None:
        query = query.where(TaskRow.killed.is_(killed))
    if orch_id is not None:
        query = query.where(TaskRow.orch_id == orch_id)
    if orch_sha is not None:
        query = query.where(TaskRow.orch_sha == orch_sha)
    rows = session.scalars(query.order_by(TaskRow.created_at.desc())).all()
    return describe(session, settings, rows, run_limit)


def task_ids_by_sha(session: Session, caller: Caller, sha: str) -> list[str]:
    allowed = workspaces.workspace_ids_of(session, caller)
    return list(session.scalars(
        select(TaskRow.id).where(TaskRow.orch_sha == sha, TaskRow.workspace_id.in_(allowed)).order_by(TaskRow.created_at)
    ))


def orchestration_of(session: Session, task: TaskRow) -> OrchestrationRow | None:
    return session.get(OrchestrationRow, task.orch_id)
