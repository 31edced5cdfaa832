"""Task runs and their logs, read from Airflow's DagRun rows and its task log reader."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from airflow.models.dag import DagModel
from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XComModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import NotFoundError
from airflow_wallaroo.runners.local import OUTCOME_XCOM_KEY, USER_OUTPUT_LOGGER
from airflow_wallaroo.services.task_status import DagFacts, RunFacts
from dags_factory.builder import RUN_TASK_ID
from dags_factory.spec import dag_id_of


def dag_facts(session: Session, task_ids: Sequence[str]) -> dict[str, DagFacts]:
    dag_ids = [dag_id_of(t) for t in task_ids]
    rows = session.execute(select(DagModel.dag_id, DagModel.is_paused).where(DagModel.dag_id.in_(dag_ids)))
    found = {dag_id: DagFacts(loaded=True, paused=bool(paused)) for dag_id, paused in rows}
    return {t: found.get(dag_id_of(t), DagFacts(loaded=False, paused=False)) for t in task_ids}


def run_facts(session: Session, task_id: str, limit: int | None = None,
              since: datetime | None = None, until: datetime | None = None) -> list[RunFacts]:
    """The task's runs, newest first, with whether each was stopped by its timeout."""
    dag_id = dag_id_of(task_id)
    query = select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc())
    if since is not None:
        query = query.where(DagRun.run_after >= since)
    if until is not None:
        query = query.where(DagRun.run_after <= until)
    if limit is not None:
        query = query.limit(limit)
    runs = list(session.scalars(query))
    timed_out = _timed_out_runs(session, dag_id, [r.run_id for r in runs])
    return [_facts(run, run.run_id in timed_out) for run in runs]


def find_run(session: Session, run_id: str) -> DagRun:
    """A run by its id alone, through our index on ``dag_run.run_id``."""
    run = session.scalars(
        select(DagRun).where(DagRun.run_id == run_id, DagRun.dag_id.startswith("wallaroo_task_")).limit(1)
    ).first()
    if run is None:
        raise NotFoundError(f"id: task run {run_id} does not exist")
    return run


def facts_of(session: Session, run: DagRun) -> RunFacts:
    return _facts(run, run.run_id in _timed_out_runs(session, run.dag_id, [run.run_id]))


def _facts(run: DagRun, timed_out: bool) -> RunFacts:
    created = run.queued_at or run.run_after
    updated = run.end_date or run.start_date or created
    return RunFacts(
        run_id=run.run_id,
        state=run.state,
        created_at=created,
        updated_at=max(updated, getattr(run, "updated_at", None) or updated),
        end_date=run.end_date,
        timed_out=timed_out,
    )


def _timed_out_runs(session: Session, dag_id: str, run_ids: list[str]) -> set[str]:
    if not run_ids:
        return set()
    rows = session.execute(
        select(XComModel.run_id, XComModel.value).where(
            XComModel.dag_id == dag_id, XComModel.run_id.in_(run_ids), XComModel.key == OUTCOME_XCOM_KEY
        )
    )
    return {run_id for run_id, value in rows if "timed_out" in str(value)}


def read_user_logs(session: Session, run: DagRun, lines: int | None) -> list[str]:
    """The user's output of a run in CRI form, oldest first, through Airflow's TaskLogReader."""
    from airflow.utils.log.log_reader import TaskLogReader

    ti = session.scalars(
        select(TaskInstance).where(
            TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id, TaskInstance.task_id == RUN_TASK_ID
        )
    ).first()
    if ti is None or not ti.try_number:
        return []
    reader = TaskLogReader()
    out: list[str] = []
    for try_number in range(1, ti.try_number + 1):
        stream, _ = reader.read_log_chunks(ti, try_number, {"download_logs": True})
        for chunk in stream:
            line = _cri_line(chunk)
            if line is not None:
                out.append(line)
    return out[-lines:] if lines else out


def _cri_line(chunk: object) -> str | None:
    """``<RFC3339Nano> stdout|stderr F <text>`` for a user-output record, else None."""
    record = chunk if isinstance(chunk, dict) else getattr(chunk, "model_dump", lambda: None)()
    if not isinstance(record, dict) or record.get("logger") != USER_OUTPUT_LOGGER:
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
            moment = datetime.now(timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"
