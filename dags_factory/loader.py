"""Loads one shard of task specs into DAGs; called by the small loader files in the DAG folder.

A broken spec is logged and recorded (the API then shows ``schedule_error``), and never
takes the other DAGs of its shard down. In a task process only the DAG being run is
built, as Airflow's parsing context names it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any

from dags_factory.builder import build_task_dag
from dags_factory.spec import TaskSpec, dag_id_of

log = logging.getLogger(__name__)

ERRORS_FOLDER = ".errors"


def load_shard(shard: int, namespace: dict[str, Any], folder: Path | None = None) -> int:
    """Build the DAGs of every spec in ``shard`` into ``namespace``; return how many."""
    from airflow.sdk import get_parsing_context

    from airflow_wallaroo.settings import load_settings

    settings = load_settings()  # once per shard, not once per DAG
    root = folder or settings.spec_folder
    shard_folder = root / f"shard_{shard:02d}"
    wanted = get_parsing_context().dag_id
    if wanted is not None:
        if not wanted.startswith("wallaroo_task_"):
            return 0
        candidates = [shard_folder / f"{wanted.removeprefix('wallaroo_task_')}.json"]
    else:
        candidates = sorted(shard_folder.glob("*.json")) if shard_folder.is_dir() else []
    built = 0
    for path in candidates:
        task_id = path.stem
        try:
            spec = TaskSpec.from_json(path.read_text())
            namespace[spec.dag_id] = build_task_dag(spec, runner=settings.runner, settings=settings)
            _clear_error(root, task_id)
            built += 1
        except FileNotFoundError:
            continue
        except Exception as exc:  # one bad spec must not take its shard down
            log.error("Skipping the task spec %s (task %s): %s", path, task_id, exc)
            _record_error(root, task_id, exc)
    return built


def _record_error(root: Path, task_id: str, exc: Exception) -> None:
    errors = root / ERRORS_FOLDER
    try:
        errors.mkdir(parents=True, exist_ok=True)
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        with tempfile.NamedTemporaryFile("w", dir=errors, delete=False, prefix=".tmp-") as tmp:
            tmp.write(text)
        os.replace(tmp.name, errors / f"{task_id}.txt")
    except OSError:
        log.exception("Could not record the spec error of task %s", task_id)


def _clear_error(root: Path, task_id: str) -> None:
    error = root / ERRORS_FOLDER / f"{task_id}.txt"
    if error.exists():
        error.unlink(missing_ok=True)


__all__ = ["dag_id_of", "load_shard"]
