"""Task logs through Airflow's own reader and handler: reading a run's records, deleting its files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from airflow.models.taskinstance import TaskInstance
from airflow.utils.log.file_task_handler import LogMetadata
from airflow.utils.log.log_reader import TaskLogReader
from sqlalchemy import select
from sqlalchemy.orm import Session

#: The key of a log record that says which try of the task wrote it.
TRY_KEY = "wallaroo_try"


class LogHandlerChanged(RuntimeError):
    """Raised when Airflow's task log handler no longer offers what deleting logs needs."""


def log_records(session: Session, dag_id: str, run_id: str, task_id: str) -> Iterator[dict[str, Any]]:
    """Every structured record of every try of one task instance, oldest try first.

    Each record carries its try's number under ``TRY_KEY``.
    """
    ti = session.scalars(
        select(TaskInstance).where(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id, TaskInstance.task_id == task_id
        )
    ).first()
    if ti is None or not ti.try_number:
        return
    reader = TaskLogReader()
    for try_number in range(1, ti.try_number + 1):
        # ``download_logs`` (read by the file handler, not in its TypedDict) asks for every chunk at once.
        metadata = cast(LogMetadata, {"end_of_log": False, "download_logs": True})
        stream, _ = reader.read_log_chunks(ti, try_number, metadata)
        for chunk in stream:
            record = chunk if isinstance(chunk, dict) else getattr(chunk, "model_dump", lambda: None)()
            if isinstance(record, dict):
                yield {**record, TRY_KEY: try_number}


def delete_local_logs(session: Session, dag_id: str) -> int:
    """Delete the local log file of every try of every task instance of a DAG; return how many.

    Paths come from Airflow's own log template (the handler renders them), never hard-coded.
    """
    handler = TaskLogReader().log_handler
    render = getattr(handler, "_render_filename", None)
    base = getattr(handler, "local_base", None)
    if render is None or base is None:
        raise LogHandlerChanged(
            f"the task log handler {type(handler).__name__} has no _render_filename/local_base: "
            "run logs cannot be located to delete them"
        )
    deleted = 0
    for ti in session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id)):
        for try_number in range(1, (ti.try_number or 0) + 1):
            path = Path(base) / render(ti, try_number, session=session)
            if path.exists():
                path.unlink()
                deleted += 1
    return deleted
