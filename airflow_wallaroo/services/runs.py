"""Task runs and their logs: Airflow's DAG runs and task logs, in the contract's terms."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import logs, runs
from airflow_wallaroo.core.naming import RUN_TASK_ID, USER_OUTPUT_LOGGER, dag_id_of, task_id_of
from airflow_wallaroo.exceptions import ForbiddenError, NotFoundError
from airflow_wallaroo.runners import attempts
from airflow_wallaroo.services import paging
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.services.task_status import TaskRun, task_run
from airflow_wallaroo.services.tasks import require_task
from airflow_wallaroo.settings import WallarooSettings


def list_task_runs(
    session: Session,
    caller: Caller,
    task_id: str,
    at: paging.Window,
    *,
    status: str = "all",
    time_range: tuple[datetime, datetime] | None = None,
) -> paging.Page[TaskRun]:
    """One page of the task's runs with ``status`` (or all), newest ``updated_at`` first.

    The status is filtered in SQL (``airflow_compat.runs.status_condition``, the same rule
    as ``task_status.run_status``), so only the page's runs are read.
    """
    task = require_task(session, caller, task_id)
    since, until = time_range if time_range else (None, None)
    records, total = runs.runs_page(
        session,
        dag_id_of(task.id),
        statuses=() if status == "all" else (status,),
        killed_at=task.killed_at,
        since=since,
        until=until,
        limit=at.limit,
        offset=at.offset,
    )
    return paging.Page(items=[task_run(task, r) for r in records], total=total, window=at)


def get_run_details(session: Session, caller: Caller, task_id: str, run_id: str) -> TaskRun:
    """One run of the task; 404 when the run is not the task's."""
    task = require_task(session, caller, task_id)
    record = runs.find_task_run(session, run_id)
    if record is None or record.dag_id != dag_id_of(task.id):
        raise NotFoundError(f"pod_id: run {run_id} is not a run of task {task.id}")
    return task_run(task, record)


def get_run_logs(
    session: Session, caller: Caller, settings: WallarooSettings, run_id: str, lines: int | None
) -> list[str]:
    """The user's output of one run in CRI form, oldest first; none once its task is killed.

    Every try's output is there, in order; each retry's begins with a line naming it.

    A failed run whose user code never saw its end (the worker died, or Airflow failed the
    run from outside) ends with a line that says so.
    """
    record = runs.find_task_run(session, run_id)
    task_id = task_id_of(record.dag_id) if record is not None else None
    if record is None or task_id is None:
        raise NotFoundError(f"id: task run {run_id} does not exist")
    try:
        task = require_task(session, caller, task_id)
    except ForbiddenError:
        # Never name the task: the caller gave only the run, and may not see its task.
        raise ForbiddenError(f"id: task run {run_id} is in a workspace you are not a member of") from None
    if task.killed:
        return []
    out: list[str] = []
    current_try = 1
    for entry in logs.log_records(session, record.dag_id, record.run_id, RUN_TASK_ID):
        try_number = int(str(entry.get(logs.TRY_KEY, 1)))
        if try_number != current_try:
            # A retry: its output follows the earlier tries', after a line that says so.
            current_try = try_number
            when = _rfc3339_nano(entry.get("timestamp"))
            out.append(f"{when} stderr F wallaroo: try {try_number} of this run (a retry) starts here")
        line = _cri_line(entry)
        if line is not None:
            out.append(line)
    if record.state == "failed" and attempts.was_cut_off(
        settings.layout.attempt_file(task.id, record.run_id)
    ):
        out.append(f"{_rfc3339_nano(record.end_date or record.updated_at)} stderr F {attempts.CUT_OFF_NOTE}")
    return out[-lines:] if lines else out


def _cri_line(record: dict[str, object]) -> str | None:
    """``<RFC3339Nano> stdout|stderr F <text>`` for a user-output record, else None."""
    if record.get("logger") != USER_OUTPUT_LOGGER:
        return None
    event = str(record.get("event", ""))
    stream, _, text = event.partition(" ")
    if stream not in ("stdout", "stderr"):
        return None
    return f"{_rfc3339_nano(record.get('timestamp'))} {stream} F {text}"


def _rfc3339_nano(value: object) -> str:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            moment = datetime.now(UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"
