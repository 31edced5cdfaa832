"""Task specs on disk: rendering them from the tables, and asking for a quick reparse.

The tables are the system of record; specs are derived. ``reconcile_specs`` re-renders
any spec that is missing or stale, so a crash between the row and the file heals.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.dag_files import shard_loader_name
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow
from dags_factory.loader import ERRORS_FOLDER
from dags_factory.spec import TaskSpec, shard_of

log = logging.getLogger(__name__)
DAGS_FOLDER_BUNDLE = "dags-folder"


def render_spec(task: TaskRow, orchestration: OrchestrationRow, settings: WallarooSettings) -> TaskSpec:
    return TaskSpec(
        task_id=task.id,
        kind=task.kind,
        name=task.name,
        workspace_id=task.workspace_id,
        owner_id=task.owner_id,
        orch_id=orchestration.id,
        orch_sha=orchestration.sha,
        orch_name=orchestration.name,
        entrypoint=orchestration.entrypoint,
        arguments=json.loads(task.arguments),
        first_run_id=task.first_run_id,
        created_at=task.created_at.isoformat(),
        schedule=task.schedule,
        timeout=task.timeout,
        api_url=settings.api_url,
        extra_env=json.loads(task.extra_env_vars or "{}"),
        requirements=orchestration.requirements,
        bind_secrets=json.loads(task.bind_secrets or "[]"),
    )


def spec_path(settings: WallarooSettings, task_id: str) -> Path:
    return settings.spec_folder / f"shard_{shard_of(task_id, settings.spec_shards):02d}" / f"{task_id}.json"


def spec_error(settings: WallarooSettings, task_id: str) -> str | None:
    """The error the DAG factory recorded for this task's spec, if any."""
    path = settings.spec_folder / ERRORS_FOLDER / f"{task_id}.txt"
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def write_spec(spec: TaskSpec, settings: WallarooSettings) -> bool:
    """Write the spec atomically; return False if the file already held exactly this."""
    path = spec_path(settings, spec.task_id)
    text = spec.to_json()
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".tmp-", suffix=".part", delete=False) as tmp:
        tmp.write(text)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)
    return True


def request_reparse(session: Session, settings: WallarooSettings, task_id: str) -> None:
    """Ask the dag-processor to parse the task's shard loader next, not at its next cycle."""
    request_shard_reparse(session, shard_of(task_id, settings.spec_shards))


def request_shard_reparse(session: Session, shard: int) -> None:
    """A priority parsing request for one shard loader, and a touch of the file.

    The dag-processor puts requested files first, but then re-sorts its queue by file
    modification time (``file_parsing_sort_mode = modified_time``, the default): a loader
    that is never modified loses its place behind up to 15 others. Touching it keeps it
    first. The touch only works where the DAGs folder is this process's (standalone, or a
    shared volume); the request works everywhere.
    """
    from airflow.models.dagbag import DagPriorityParsingRequest

    fileloc = shard_loader_name(shard)
    request_id = hashlib.md5(f"{DAGS_FOLDER_BUNDLE}:{fileloc}".encode()).hexdigest()
    if session.get(DagPriorityParsingRequest, request_id) is None:
        session.add(DagPriorityParsingRequest(bundle_name=DAGS_FOLDER_BUNDLE, relative_fileloc=fileloc))
        session.flush()
    _touch(dags_folder() / fileloc)


def dags_folder() -> Path:
    from airflow.configuration import conf

    return Path(conf.get("core", "dags_folder"))


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # not on this machine's disk: the priority request alone will do
        pass


def publish_task(session: Session, task: TaskRow, orchestration: OrchestrationRow, settings: WallarooSettings) -> None:
    """Write the task's spec and ask for its shard to be parsed now."""
    if write_spec(render_spec(task, orchestration, settings), settings):
        request_reparse(session, settings, task.id)


def remove_misplaced_specs(settings: WallarooSettings) -> set[int]:
    """Remove specs left in another shard's folder (``spec_shards`` changed); return those shards.

    Otherwise two loader files would both build the task's DAG.
    """
    emptied: set[int] = set()
    for folder in settings.spec_folder.glob("shard_*"):
        try:
            shard = int(folder.name.removeprefix("shard_"))
        except ValueError:
            continue
        for spec in folder.glob("*.json"):
            try:
                wanted = shard_of(spec.stem, settings.spec_shards)
            except ValueError:
                continue
            if wanted != shard:
                spec.unlink(missing_ok=True)
                emptied.add(shard)
    if emptied:
        log.info("Reconcile removed specs from shards %s after a change of spec_shards", sorted(emptied))
    return emptied


def reconcile_specs(session: Session, settings: WallarooSettings) -> int:
    """Re-render every spec that is missing or stale; return how many were written."""
    written = 0
    stale_shards: set[int] = set()
    rows = session.execute(select(TaskRow, OrchestrationRow).join(OrchestrationRow, OrchestrationRow.id == TaskRow.orch_id))
    for task, orchestration in rows:
        if write_spec(render_spec(task, orchestration, settings), settings):
            stale_shards.add(shard_of(task.id, settings.spec_shards))
            written += 1
    stale_shards.update(remove_misplaced_specs(settings))
    # One request per shard, after the files: no write lock is held while specs are written.
    for shard in sorted(stale_shards):
        request_shard_reparse(session, shard)
    if written:
        log.info("Reconcile re-rendered %d task specs", written)
    return written
