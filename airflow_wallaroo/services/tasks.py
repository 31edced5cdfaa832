"""Tasks: create (run once, scheduled, continuous), read with their status, pause and resume."""

from __future__ import annotations

import json
import re
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from croniter import croniter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import dags, runs
from airflow_wallaroo.airflow_compat.dags import NOT_LOADED
from airflow_wallaroo.core.naming import dag_id_of, task_id_of
from airflow_wallaroo.core.text import shown
from airflow_wallaroo.core.timeutil import utcnow
from airflow_wallaroo.core.vocabulary import FINISHED_TASK_STATUSES, ConcurrencyPolicy, RunOutcome, TaskKind
from airflow_wallaroo.exceptions import ConflictError, ForbiddenError, InvalidRequestError, NotFoundError
from airflow_wallaroo.runners.base import get_runner
from airflow_wallaroo.runtime.contract import reserved
from airflow_wallaroo.services import orchestrations, paging, specs, workspaces
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.services.task_status import TaskRun, task_run, task_status
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow

#: Bounds of the retries a task may ask for, and of the wait before the first one.
MAX_RETRIES = 10
MAX_RETRY_DELAY_SECONDS = 3600
#: The wait before the first retry when a task asks for retries without ``retry_delay``.
DEFAULT_RETRY_DELAY_SECONDS = 30

#: How many of its newest runs a task is shown with, unless asked otherwise.
LAST_RUNS = 5


@dataclass(frozen=True)
class Task:
    """A task as the API shows it: its row, derived status, newest runs and runs' image."""

    row: TaskRow
    status: str
    last_runs: list[TaskRun]
    image: str


#: Cron macros, as Airflow's cron timetables read them.
CRON_MACROS = ("@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly")


def validate_schedule(schedule: str) -> str:
    """Five-field cron or one of Airflow's macros, checked before anything is written."""
    schedule = schedule.strip()
    if schedule in CRON_MACROS:
        return schedule
    if len(schedule.split()) != 5 or not croniter.is_valid(schedule):
        raise InvalidRequestError(
            f"schedule: {schedule!r} is not a valid five-field cron expression "
            f"nor one of {', '.join(CRON_MACROS)}"
        )
    return schedule


def validate_timezone(name: str) -> str:
    """An IANA time zone name (``Europe/Paris``); Airflow reads the schedule's ticks in it."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidRequestError(
            f"timezone: {name!r} is not an IANA time zone name (such as 'Europe/Paris' or 'UTC')"
        ) from None
    return name


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A Kubernetes Secret's name: a DNS-1123 subdomain.
SECRET_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def validate_env_vars(env: dict[str, str]) -> dict[str, str]:
    for name in env:
        if not ENV_NAME.fullmatch(name):
            raise InvalidRequestError(f"extra_env_vars: {name!r} is not a valid environment variable name")
        if reserved(name):
            raise InvalidRequestError(
                f"extra_env_vars: {name!r} is reserved (the platform sets WALLAROO_*, TASK_ID, ORCH_*, "
                "PATH, HOME, TMPDIR, USER; AIRFLOW*, LD_* and PYTHON* are not allowed)"
            )
    return env


def validate_secret_names(names: list[str]) -> list[str]:
    for name in names:
        if len(name) > 253 or not SECRET_NAME.fullmatch(name):
            raise InvalidRequestError(f"bind_secrets: {name!r} is not a valid Kubernetes secret name")
    return names


@dataclass(frozen=True)
class TaskOrder:
    """What a caller asks for when creating a task."""

    kind: TaskKind
    workspace_id: int
    orch_id: str
    arguments: dict[str, Any]
    name: str | None = None
    timeout: int | None = None
    schedule: str | None = None
    timezone: str | None = None
    debug: bool = False
    extra_env_vars: dict[str, str] | None = None
    bind_secrets: list[str] | None = None
    retries: int = 0
    retry_delay: int | None = None
    concurrency_policy: ConcurrencyPolicy | None = None
    #: ``{"url", "events", "secret"}`` of the task's notification webhook.
    notify: dict[str, Any] | None = None


def validate_notify(notify: dict[str, Any]) -> dict[str, Any]:
    """An http(s) URL with a host; events without repeats."""
    given = str(notify.get("url", ""))
    try:
        url = httpx.URL(given)
    except httpx.InvalidURL as exc:
        raise InvalidRequestError(f"notify.url: {shown(given)} is not a valid URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidRequestError(f"notify.url: {shown(given)} is not an http or https URL")
    return {"url": str(url), "events": sorted(set(notify["events"])), "secret": notify["secret"]}


def add_task(session: Session, caller: Caller, settings: WallarooSettings, order: TaskOrder) -> TaskRow:
    """Check the order and add the task's row (flushed, not committed); its spec comes after commit."""
    # What the request says alone first, then what it refers to.
    extra_env = validate_env_vars(order.extra_env_vars or {})
    secrets = validate_secret_names(order.bind_secrets or [])
    scheduled = order.kind is TaskKind.RUN_SCHEDULED
    schedule = validate_schedule(order.schedule or "") if scheduled else None
    timezone = validate_timezone(order.timezone) if scheduled and order.timezone is not None else None
    if order.timeout is not None and order.timeout <= 0:
        raise InvalidRequestError("timeout: must be a positive number of seconds")
    if not 0 <= order.retries <= MAX_RETRIES:
        raise InvalidRequestError(f"retries: must be from 0 to {MAX_RETRIES}")
    if order.retry_delay is not None and not 1 <= order.retry_delay <= MAX_RETRY_DELAY_SECONDS:
        raise InvalidRequestError(f"retry_delay: must be from 1 to {MAX_RETRY_DELAY_SECONDS} seconds")
    notify = validate_notify(order.notify) if order.notify else None
    workspaces.require_member(session, caller, order.workspace_id)
    orchestration = orchestrations.get_orchestration(session, caller, order.orch_id, settings)
    if orchestration.row.workspace_id != order.workspace_id:
        raise InvalidRequestError(
            f"orch_id: orchestration {order.orch_id} is not in workspace {order.workspace_id}"
        )
    orchestrations.require_ready(orchestration)
    task = TaskRow(
        id=str(uuid.uuid4()),
        name=order.name,
        kind=order.kind.value,
        workspace_id=order.workspace_id,
        orch_id=order.orch_id,
        orch_sha=orchestration.row.sha,
        owner_id=caller.user_id,
        schedule=schedule,
        timezone=timezone,
        retries=order.retries,
        notify=json.dumps(notify) if notify else None,
        concurrency_policy=order.concurrency_policy.value if scheduled and order.concurrency_policy else None,
        retry_delay=(order.retry_delay or DEFAULT_RETRY_DELAY_SECONDS) if order.retries else None,
        timeout=order.timeout,
        arguments=json.dumps(order.arguments),
        extra_env_vars=json.dumps(extra_env),
        bind_secrets=json.dumps(secrets),
        debug=order.debug,
        first_run_id=str(uuid.uuid4()),
        killed=False,
        paused=False,
        created_at=utcnow(),
    )
    session.add(task)
    session.flush()
    return task


def publish(session: Session, task: TaskRow, settings: WallarooSettings) -> None:
    """Write the task's spec from its row and ask for its DAG to be parsed now."""
    specs.publish_task(session, task, session.get(OrchestrationRow, task.orch_id), settings)


def require_task(session: Session, caller: Caller, task_id: str) -> TaskRow:
    task = session.get(TaskRow, task_id)
    if task is None:
        raise NotFoundError(f"id: task {task_id} does not exist")
    try:
        workspaces.require_member(session, caller, task.workspace_id)
    except ForbiddenError:
        raise ForbiddenError(f"id: task {task_id} is in a workspace you are not a member of") from None
    return task


def describe(
    session: Session, settings: WallarooSettings, rows: Sequence[TaskRow], run_limit: int = LAST_RUNS
) -> list[Task]:
    """Attach status and newest runs to task rows: three queries and one folder listing in all.

    Only a killed task costs a file check more (is its kill's cleanup done).
    """
    runner = get_runner(settings.runner)
    image = runner.image(settings)
    dag_ids = [dag_id_of(t.id) for t in rows]
    states = dags.dag_states(session, dag_ids)
    newest = runs.last_runs(session, dag_ids, max(run_limit, LAST_RUNS))
    errors = specs.spec_errors(settings, (t.id for t in rows))
    layout = settings.layout
    result = []
    for row in rows:
        records = newest.get(dag_id_of(row.id), [])
        # A kill is only done once its cleanup finished; until then it is pending.
        cleanup_pending = row.killed and (
            not layout.kill_marker(row.id).exists() or runner.processes_alive(layout, row.id)
        )
        dag = states.get(dag_id_of(row.id), NOT_LOADED)
        status = task_status(row, dag, records, errors.get(row.id), cleanup_pending)
        result.append(
            Task(
                row=row, status=status, last_runs=[task_run(row, r) for r in records[:run_limit]], image=image
            )
        )
    return result


def get_task(
    session: Session, caller: Caller, settings: WallarooSettings, task_id: str, run_limit: int = LAST_RUNS
) -> Task:
    return describe(session, settings, [require_task(session, caller, task_id)], run_limit)[0]


def list_tasks(
    session: Session,
    caller: Caller,
    settings: WallarooSettings,
    at: paging.Window,
    *,
    workspace_id: int | None = None,
    killed: bool | None = None,
    orch_id: str | None = None,
    orch_sha: str | None = None,
    run_limit: int = LAST_RUNS,
) -> paging.Page[Task]:
    """One page of the caller's tasks (in one workspace, or all theirs), newest first."""
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
    rows, total = paging.fetch(session, query.order_by(TaskRow.created_at.desc(), TaskRow.id.desc()), at)
    return paging.Page(items=describe(session, settings, rows, run_limit), total=total, window=at)


def tasks_of_orchestrations(
    session: Session, settings: WallarooSettings, orch_ids: Sequence[str], per_orchestration: int
) -> dict[str, list[Task]]:
    """Each orchestration's newest ``per_orchestration`` tasks, described, in one query."""
    if not orch_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=TaskRow.orch_id, order_by=(TaskRow.created_at.desc(), TaskRow.id.desc()))
        .label("rank")
    )
    ranked = select(TaskRow.id, rank).where(TaskRow.orch_id.in_(list(orch_ids))).subquery()
    rows = session.scalars(
        select(TaskRow)
        .join(ranked, ranked.c.id == TaskRow.id)
        .where(ranked.c.rank <= per_orchestration)
        .order_by(TaskRow.created_at.desc(), TaskRow.id.desc())
    ).all()
    found: dict[str, list[Task]] = {}
    for task in describe(session, settings, rows):
        found.setdefault(task.row.orch_id, []).append(task)
    return found


def live_tasks_of(session: Session, settings: WallarooSettings, orch_ids: Sequence[str]) -> list[Task]:
    """The tasks of these orchestrations that are not killed, described."""
    rows = session.scalars(
        select(TaskRow)
        .where(TaskRow.orch_id.in_(list(orch_ids)), TaskRow.killed.is_(False))
        .order_by(TaskRow.created_at)
    ).all()
    return describe(session, settings, rows)


def task_ids_by_sha(session: Session, caller: Caller, sha: str, at: paging.Window) -> paging.Page[str]:
    """One page of the ids of the caller's tasks that run this archive, oldest first."""
    allowed = workspaces.workspace_ids_of(session, caller)
    query = (
        select(TaskRow.id)
        .where(TaskRow.orch_sha == sha, TaskRow.workspace_id.in_(allowed))
        .order_by(TaskRow.created_at, TaskRow.id)
    )
    ids, total = paging.fetch(session, query, at)
    return paging.Page(items=ids, total=total, window=at)


def require_manual_run(session: Session, caller: Caller, task_id: str) -> TaskRow:
    """The task, if a manual run of it may start: scheduled or continuous, and not killed."""
    task = require_task(session, caller, task_id)
    if task.killed:
        raise ConflictError(f"id: task {task.id} is killed; no run of it starts again")
    if task.kind == TaskKind.RUN_ONCE:
        raise ConflictError(
            f"id: task {task.id} runs once; run_now starts runs of scheduled and continuous tasks "
            "(call task/run_once again for another run)"
        )
    return task


def start_manual_run(task: TaskRow, caller: Caller) -> str:
    """Trigger a manual run of the task's DAG, as Airflow's Trigger button does; return its id.

    Called with no transaction of ours open: Airflow commits the run in its own.
    """
    run_id = str(uuid.uuid4())
    note = f"Run now through the Wallaroo API by {caller.username}"
    result = dags.trigger_run(dag_id_of(task.id), run_id, {}, caller.username, note=note)
    if result is dags.TriggerResult.DAG_MISSING:
        raise ConflictError(f"id: task {task.id} is not loaded by Airflow yet; try again in a few seconds")
    if result is dags.TriggerResult.REFUSED:
        raise ConflictError(f"id: task {task.id} is killed; no run of it starts again")
    return run_id


def request_pause(
    session: Session, caller: Caller, settings: WallarooSettings, task_id: str, pause: bool
) -> TaskRow:
    """Record a pause (no new runs; running ones finish) or resume, and apply it if the DAG exists.

    The intent is kept on the row until it is applied, so a pause sent before the task's
    DAG exists is not lost: ``apply_pending_pauses`` applies it as soon as the DAG appears,
    and the republished spec creates the DAG paused.
    """
    task = require_task(session, caller, task_id)
    if task.killed:
        raise ConflictError(f"id: task {task.id} is killed; it cannot be paused or resumed")
    if task.kind == TaskKind.RUN_ONCE:
        status = describe(session, settings, [task])[0].status
        if status in FINISHED_TASK_STATUSES:
            raise ConflictError(f"id: task {task.id} has run once and is {status}; there is nothing to pause")
    task.paused = pause
    task.pause_requested_at = utcnow()
    session.flush()
    apply_pending_pauses(session, [task])
    return task


def apply_pending_pauses(session: Session, rows: Sequence[TaskRow] | None = None) -> int:
    """Apply every waiting pause or resume whose DAG Airflow now knows; return how many.

    ``rows``: these tasks only; None: every task with one waiting.
    """
    if rows is None:
        rows = session.scalars(select(TaskRow).where(TaskRow.pause_requested_at.is_not(None))).all()
    applied = 0
    for task in rows:
        if task.pause_requested_at is None or task.killed:
            continue
        if dags.set_paused(session, dag_id_of(task.id), task.paused):
            task.pause_requested_at = None
            applied += 1
    session.flush()
    return applied


def replace_overlapping_runs(session: Session) -> int:
    """Under ``replace``, fail every active run of a task but its newest; return how many.

    Each replaced run ends ``killed`` (its outcome) with a run note naming its successor.
    One query finds the DAGs with overlapping runs; most seconds there are none.
    """
    overlapping = runs.overlapping_task_runs(session)
    by_task = {task: dag_id for dag_id in overlapping if (task := task_id_of(dag_id)) is not None}
    if not by_task:
        return 0
    replacing = session.scalars(
        select(TaskRow.id).where(
            TaskRow.id.in_(list(by_task)),
            TaskRow.concurrency_policy == ConcurrencyPolicy.REPLACE.value,
            TaskRow.killed.is_(False),
        )
    ).all()
    replaced = 0
    for task_id in replacing:
        dag_id = by_task[task_id]
        newest, *older = overlapping[dag_id]
        for run_id in older:
            runs.set_outcome(session, dag_id, run_id, RunOutcome.REPLACED.value)
        note = f"Replaced by run {newest}: the task's concurrency_policy is replace"
        replaced += len(dags.fail_runs(session, dag_id, older, note=note))
    session.flush()
    return replaced
