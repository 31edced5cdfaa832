"""Pause or resume a task: the intent, committed, then the spec that carries it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from airflow_wallaroo.services import tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.usecases.effects import after_commit


def pause_task(
    session: Session, caller: Caller, settings: WallarooSettings, task_id: str, pause: bool
) -> tasks.Task:
    """Pause (``pause``) or resume the task; answer with its state once the request is recorded."""
    task = tasks.request_pause(session, caller, settings, task_id, pause)
    session.commit()
    # The spec says whether a DAG built from it starts paused: a pause sent before the DAG
    # exists holds from its first parse on.
    after_commit(
        session, f"publish the spec of task {task.id}", lambda: tasks.publish(session, task, settings)
    )
    return tasks.describe(session, settings, [task])[0]
