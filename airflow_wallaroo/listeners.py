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


@hookimpl
def on_dag_run_failed(dag_run: Any, msg: str) -> None:
    from airflow_wallaroo.core.naming import task_id_of

    task_id = task_id_of(dag_run.dag_id)
    if task_id is None:
        return
    try:
        _reparse_if_continuous(dag_run, task_id)
    except Exception:  # a listener must never break the caller (scheduler or API)
        log.exception("Could not ask for a reparse after a failed run of %s", dag_run.dag_id)


def _reparse_if_continuous(dag_run: Any, task_id: str) -> None:
    from sqlalchemy.orm import object_session

    from airflow_wallaroo.airflow_compat.db import new_session

    # The caller's own session, when the run is bound to one, commits the request with the
    # failure (on SQLite a second session would wait on the caller's write lock).
    session = object_session(dag_run)
    if session is None:
        with new_session() as own_session:
            _request(own_session, task_id)
        return
    _request(session, task_id)


def _request(session: Any, task_id: str) -> None:
    from airflow_wallaroo.core.vocabulary import TaskKind
    from airflow_wallaroo.services.specs import request_reparse
    from airflow_wallaroo.settings import load_settings
    from airflow_wallaroo.store.tables import TaskRow

    task = session.get(TaskRow, task_id)
    if task is None or task.kind != TaskKind.RUN_CONTINUOUSLY or task.killed or task.paused:
        return
    request_reparse(session, load_settings(), task_id)
