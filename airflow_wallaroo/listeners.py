"""Airflow listener: a continuous task's run failed from outside gets its successor promptly.

When the scheduler ends a run itself, it lets the DAG start the next one at once. A run
failed through the API, the UI or the CLI skips that step, and the DAG waits until the
dag-processor next parses its file (``min_file_process_interval``, 30 s by default).
Asking for a priority parse of the task's shard file makes the successor start within
seconds instead, whoever failed the run.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl

log = logging.getLogger(__name__)
DAG_PREFIX = "wallaroo_task_"


@hookimpl
def on_dag_run_failed(dag_run: Any, msg: str) -> None:
    dag_id: str = dag_run.dag_id
    if not dag_id.startswith(DAG_PREFIX):
        return
    try:
        _reparse_if_continuous(dag_run, dag_id.removeprefix(DAG_PREFIX))
    except Exception:  # a listener must never break the caller (scheduler or API)
        log.exception("Could not ask for a reparse after a failed run of %s", dag_id)


def _reparse_if_continuous(dag_run: Any, task_id: str) -> None:
    from airflow.utils.session import create_session
    from sqlalchemy.orm import object_session

    # The caller's own session, when the run is bound to one, commits the request with the
    # failure (on SQLite a second session would wait on the caller's write lock).
    session = object_session(dag_run)
    if session is None:
        with create_session(scoped=False) as own_session:
            _request(own_session, task_id)
        return
    _request(session, task_id)


def _request(session: Any, task_id: str) -> None:
    from airflow_wallaroo.services.specs import request_reparse
    from airflow_wallaroo.settings import load_settings
    from airflow_wallaroo.store.tables import TaskRow

    task = session.get(TaskRow, task_id)
    if task is None or task.kind != "run_continuously" or task.killed or task.paused:
        return
    request_reparse(session, load_settings(), task_id)
