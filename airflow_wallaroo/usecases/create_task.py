"""Create a task: its row first, committed, then its spec and a parse request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from airflow_wallaroo.services import tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import TaskRow
from airflow_wallaroo.usecases.effects import after_commit


def create_task(
    session: Session, caller: Caller, settings: WallarooSettings, order: tasks.TaskOrder
) -> TaskRow:
    """Record the task and publish its spec; the generated DAG does the rest.

    Row first, then the spec: a crash in between is healed by reconcile, never the reverse
    (a spec without a row would run code nobody asked for).
    """
    task = tasks.add_task(session, caller, settings, order)
    session.commit()
    after_commit(
        session, f"publish the spec of task {task.id}", lambda: tasks.publish(session, task, settings)
    )
    return task
