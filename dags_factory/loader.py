"""Loads one shard of task specs into DAGs; called by the small loader files in the DAG folder.

A broken spec is logged and recorded (the API then shows ``schedule_error``), and never
takes the other DAGs of its shard down. In a task process only the DAG being run is
built, as Airflow's parsing context names it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any

from airflow.sdk import get_parsing_context

from airflow_wallaroo.core.layout import DataLayout
from airflow_wallaroo.core.naming import task_id_of
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.settings import load_settings
from dags_factory.builder import build_task_dag

log = logging.getLogger(__name__)


def load_shard(shard: int, namespace: dict[str, Any], folder: Path | None = None) -> int:
    """Build the DAGs of every spec in ``shard`` into ``namespace``; return how many."""
    settings = load_settings()  # once per shard, not once per DAG
    layout = settings.layout if folder is None else dataclasses.replace(settings.layout, spec_folder=folder)
    shard_folder = layout.spec_shard(shard)
    wanted = get_parsing_context().dag_id
    if wanted is not None:
        task_id = task_id_of(wanted)
        if task_id is None:
            return 0
        candidates = [shard_folder / f"{task_id}.json"]
    else:
        candidates = sorted(shard_folder.glob("*.json")) if shard_folder.is_dir() else []
    built = 0
    for path in candidates:
        task_id = path.stem
        try:
            spec = TaskSpec.from_json(path.read_text())
            namespace[spec.dag_id] = build_task_dag(spec, settings)
            _clear_error(layout, task_id)
            built += 1
        except FileNotFoundError:
            continue
        except Exception as exc:  # noqa: BLE001 - one bad spec must not take its shard down
            log.error("Skipping the task spec %s (task %s): %s", path, task_id, exc)
            _record_error(layout, task_id, exc)
    return built


def _record_error(layout: DataLayout, task_id: str, exc: Exception) -> None:
    try:
        layout.spec_errors.mkdir(parents=True, exist_ok=True)
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        with tempfile.NamedTemporaryFile("w", dir=layout.spec_errors, delete=False, prefix=".tmp-") as tmp:
            tmp.write(text)
        os.replace(tmp.name, layout.spec_error_file(task_id))
    except OSError:
        log.exception("Could not record the spec error of task %s", task_id)


def _clear_error(layout: DataLayout, task_id: str) -> None:
    layout.spec_error_file(task_id).unlink(missing_ok=True)


__all__ = ["load_shard"]
