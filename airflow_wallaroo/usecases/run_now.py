"""Run now: a manual run of a scheduled or continuous task, as Airflow's Trigger button starts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from airflow_wallaroo.services import tasks
from airflow_wallaroo.services.callers import Caller


def run_now(session: Session, caller: Caller, task_id: str) -> str:
    """Check the task, end our read transaction, then let Airflow create the run; its id."""
    task = tasks.require_manual_run(session, caller, task_id)
    session.commit()  # no lock of ours is held while Airflow writes the run in its own session
    return tasks.start_manual_run(task, caller)
