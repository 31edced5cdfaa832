"""Kill, pause and resume: Airflow's own pause flag and run-failing function, then cleanup.

Kill records the intent first (so the task shows ``pending_kill`` at once and nothing
is lost to a crash), pauses the DAG so no run starts, fails the active runs with
``set_dag_run_state_to_failed`` (the task supervisor then stops the task process, whose
``on_kill`` stops the user's process group), and finishes in the background: it waits
for the runs to end, makes sure no user process is left, and deletes every run's log
files, with paths rendered from Airflow's own log template.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

from airflow.models.dag import DagModel
from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.utils.state import DagRunState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from airflow_wallaroo.settings import WallarooSettings, load_settings
from airflow_wallaroo.store.tables import TaskRow
from dags_factory.spec import dag_id_of

log = logging.getLogger(__name__)
ACTIVE = (DagRunState.QUEUED, DagRunState.RUNNING)
KILL_WAIT_SECONDS = 90


def set_dag_paused(session: Session, task_id: str, paused: bool) -> None:
    session.execute(update(DagModel).where(DagModel.dag_id == dag_id_of(task_id)).values(is_paused=paused))


def active_run_ids(session: Session, task_id: str) -> list[str]:
    return list(session.scalars(
        select(DagRun.run_id).where(DagRun.dag_id == dag_id_of(task_id), DagRun.state.in_(ACTIVE))
    ))


def kill_task(session: Session, task: TaskRow) -> None:
    """Stop the task for good; the background part is started by :func:`finish_kill_later`."""
    from airflow.api.common.mark_tasks import set_dag_run_state_to_failed
    from airflow.models.dagbag import DBDagBag

    task.killed = True
    session.commit()
    set_dag_paused(session, task.id, True)
    session.commit()
    run_ids = active_run_ids(session, task.id)
    if run_ids:
        dag = DBDagBag().get_latest_version_of_dag(dag_id_of(task.id), session=session)
        if dag is not None:
            for run_id in run_ids:
                set_dag_run_state_to_failed(dag=dag, run_id=run_id, commit=True, session=session)
    session.commit()


def pause_task(session: Session, task: TaskRow, pause: bool) -> None:
    """Pause (no new runs; running ones finish) or resume the task's DAG."""
    task.paused = pause
    session.commit()
    set_dag_paused(session, task.id, pause)
    session.commit()


def finish_kill_later(task_id: str) -> threading.Thread:
    """Wait for the killed task's runs to end, then clean up; in a daemon thread."""
    thread = threading.Thread(target=finish_kill, args=(task_id,), name=f"wallaroo-kill-{task_id}", daemon=True)
    thread.start()
    return thread


def finish_kill(task_id: str, wait_seconds: float = KILL_WAIT_SECONDS) -> None:
    from airflow.utils.session import create_session

    settings = load_settings()
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with create_session(scoped=False) as session:
            if not active_run_ids(session, task_id):
                break
        time.sleep(1)
    stop_leftover_processes(settings, task_id)
    with create_session(scoped=False) as session:
        deleted = delete_run_logs(session, task_id)
    marker = kill_marker(settings, task_id)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{time.time():.3f}\n")
    log.info("Killed task %s: deleted %d log files", task_id, deleted)


def kill_marker(settings: WallarooSettings, task_id: str) -> Path:
    """Written when a kill has fully finished: runs ended, processes gone, logs deleted."""
    return settings.data_folder / "runs" / task_id / "killed"


def kill_finished(settings: WallarooSettings, task_id: str) -> bool:
    return kill_marker(settings, task_id).exists()


def finish_interrupted_kills(settings: WallarooSettings) -> int:
    """At start-up: finish kills that an api-server restart cut short."""
    from airflow.utils.session import create_session

    with create_session(scoped=False) as session:
        pending = [t for t in session.scalars(select(TaskRow.id).where(TaskRow.killed.is_(True)))
                   if not kill_finished(settings, t)]
    for task_id in pending:
        finish_kill_later(task_id)
    return len(pending)


def user_processes_alive(settings: WallarooSettings, task_id: str) -> bool:
    """True while a user process group of the task still exists (local runner pid files)."""
    for pid_file in (settings.data_folder / "runs" / task_id).glob("*.pid"):
        try:
            os.killpg(int(pid_file.read_text()), 0)
            return True
        except (ValueError, ProcessLookupError, FileNotFoundError):
            continue
        except PermissionError:
            return True
    return False


def stop_leftover_processes(settings: WallarooSettings, task_id: str) -> int:
    """Make sure no user process of the task survives; return how many had to be killed."""
    killed = 0
    for pid_file in (settings.data_folder / "runs" / task_id).glob("*.pid"):
        try:
            pid = int(pid_file.read_text())
            os.killpg(pid, signal.SIGKILL)
            killed += 1
            log.warning("Task %s: user process group %s was still alive after the kill", task_id, pid)
        except (ValueError, ProcessLookupError, PermissionError, FileNotFoundError):
            pass
        pid_file.unlink(missing_ok=True)
    return killed


def delete_run_logs(session: Session, task_id: str) -> int:
    """Delete the local log files of every try of every run of the task."""
    from airflow.utils.log.log_reader import TaskLogReader

    handler = TaskLogReader().log_handler
    render = getattr(handler, "_render_filename", None)
    base = getattr(handler, "local_base", None)
    if render is None or base is None:
        return 0
    deleted = 0
    tis = session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id_of(task_id)))
    for ti in tis:
        for try_number in range(1, (ti.try_number or 0) + 1):
            path = Path(base) / render(ti, try_number, session=session)
            if path.exists():
                path.unlink()
                deleted += 1
    return deleted
