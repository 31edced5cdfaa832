"""Kill: the intent first, then Airflow's pause and run-failing, then cleanup in the background.

Kill records the intent (so the task shows ``pending_kill`` at once and nothing is lost
to a crash), pauses the DAG so no run starts, fails the active runs with Airflow's own
function (the task supervisor then stops the task process, whose ``on_kill`` stops the
user's process group), republishes the spec as killed, and finishes in the background:
it waits for the runs to end, makes sure no user process is left, and deletes every
run's log files. A kill that a restart cut short is finished at start-up.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import dags, logs
from airflow_wallaroo.airflow_compat.db import new_session
from airflow_wallaroo.core import locks
from airflow_wallaroo.core.naming import dag_id_of
from airflow_wallaroo.core.timeutil import utcnow
from airflow_wallaroo.runners.base import get_runner
from airflow_wallaroo.services import tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings, load_settings
from airflow_wallaroo.store.tables import TaskRow
from airflow_wallaroo.usecases.effects import after_commit

log = logging.getLogger(__name__)
KILL_WAIT_SECONDS = 90


def kill_task(session: Session, caller: Caller, settings: WallarooSettings, task_id: str) -> tasks.Task:
    """Stop the task for good; answer with its state as the kill starts (``pending_kill``)."""
    task = tasks.require_task(session, caller, task_id)
    if task.killed:
        return tasks.describe(session, settings, [task])[0]
    stop_task(session, task, caller.username)
    session.commit()
    # Described before the cleanup starts: the answer is the request's state, pending_kill,
    # never a race with a cleanup that can finish within milliseconds.
    answer = tasks.describe(session, settings, [task])[0]
    after_commit(
        session, f"publish the killed spec of task {task.id}", lambda: tasks.publish(session, task, settings)
    )
    finish_kill_later(task.id)
    return answer


def stop_task(session: Session, task: TaskRow, killed_by: str) -> None:
    """Mark the task killed, pause its DAG and fail its active runs (flushed, not committed)."""
    task.killed = True
    task.killed_at = utcnow()
    task.killed_by = killed_by
    task.pause_requested_at = None
    session.flush()
    dags.set_paused(session, dag_id_of(task.id), True)
    note = f"Killed through the Wallaroo API by {killed_by} at {task.killed_at.isoformat(timespec='seconds')}"
    dags.fail_active_runs(session, dag_id_of(task.id), note=note)


def finish_kill_later(task_id: str) -> threading.Thread:
    """Wait for the killed task's runs to end, then clean up; in a daemon thread."""
    thread = threading.Thread(
        target=finish_kill, args=(task_id,), name=f"wallaroo-kill-{task_id}", daemon=True
    )
    thread.start()
    return thread


def finish_kill(task_id: str, wait_seconds: float = KILL_WAIT_SECONDS) -> None:
    """Wait for the runs to end, stop what is left of the user's processes, delete the logs.

    One process at a time per task (a lock in the shared data folder): several api-server
    processes may each try to finish the same kill.
    """
    settings = load_settings()
    layout = settings.layout
    lock = locks.acquire(layout.task_runs(task_id) / ".kill.lock", blocking=False)
    if lock is None:
        return  # another process is finishing it
    try:
        _finish_kill(settings, task_id, wait_seconds)
    finally:
        locks.release(lock)


def _finish_kill(settings: WallarooSettings, task_id: str, wait_seconds: float) -> None:
    dag_id = dag_id_of(task_id)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with new_session() as session:
            if not dags.active_run_ids(session, dag_id):
                break
        time.sleep(1)
    layout = settings.layout
    if layout.kill_marker(task_id).exists():
        return
    get_runner(settings.runner).stop_leftovers(layout, task_id)
    with new_session() as session:
        deleted = logs.delete_local_logs(session, dag_id)
    marker = layout.kill_marker(task_id)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{time.time():.3f}\n")
    log.info("Killed task %s: deleted %d log files", task_id, deleted)


def finish_interrupted_kills(settings: WallarooSettings) -> int:
    """At start-up: finish kills that an api-server restart cut short."""
    layout = settings.layout
    with new_session() as session:
        pending = [
            t
            for t in session.scalars(select(TaskRow.id).where(TaskRow.killed.is_(True)))
            if not layout.kill_marker(t).exists()
        ]
    for task_id in pending:
        finish_kill_later(task_id)
    return len(pending)
