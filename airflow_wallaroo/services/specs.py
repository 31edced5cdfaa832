"""Task specs on disk: rendering them from the tables, and asking for a quick reparse.

The tables are the system of record; specs are derived. ``reconcile_specs`` re-renders
any spec that is missing or stale, so a crash between the row and the file heals.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import tempfile
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat import dags
from airflow_wallaroo.airflow_compat.config import dags_folder
from airflow_wallaroo.core.naming import shard_loader_name, shard_of
from airflow_wallaroo.core.permissions import PRIVATE, make_dir
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.core.vocabulary import ConcurrencyPolicy
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import OrchestrationRow, TaskRow, UserRow, WorkspaceRow

log = logging.getLogger(__name__)


def render_spec(
    task: TaskRow,
    orchestration: OrchestrationRow,
    owner: UserRow | None = None,
    workspace: WorkspaceRow | None = None,
) -> TaskSpec:
    """The spec of ``task``; its owner's and workspace's names only label the DAG in Airflow's UI."""
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
        timezone=task.timezone,
        timeout=task.timeout,
        extra_env=json.loads(task.extra_env_vars or "{}"),
        requirements=orchestration.requirements,
        bind_secrets=json.loads(task.bind_secrets or "[]"),
        killed=task.killed,
        paused=task.paused,
        retries=task.retries or 0,
        retry_delay=task.retry_delay,
        notify=json.loads(task.notify) if task.notify else None,
        concurrency_policy=task.concurrency_policy or ConcurrencyPolicy.ALLOW.value,
        owner_name=owner.username if owner is not None else None,
        workspace_name=workspace.name if workspace is not None else None,
    )


def spec_error(settings: WallarooSettings, task_id: str) -> str | None:
    """The error the DAG factory recorded for this task's spec, if any."""
    try:
        return settings.layout.spec_error_file(task_id).read_text()
    except FileNotFoundError:
        return None


def spec_errors(settings: WallarooSettings, task_ids: Iterable[str]) -> dict[str, str]:
    """The recorded spec errors of these tasks: one listing of the errors folder, then only
    the files of tasks that have one are read (a list page reads no file per task)."""
    folder = settings.layout.spec_errors
    try:
        present = set(os.listdir(folder))
    except FileNotFoundError:
        return {}
    found = {}
    for task_id in task_ids:
        if f"{task_id}.txt" in present and (error := spec_error(settings, task_id)) is not None:
            found[task_id] = error
    return found


def write_spec(spec: TaskSpec, settings: WallarooSettings) -> bool:
    """Write the spec atomically; return False if the file already held exactly this."""
    path = settings.layout.spec_path(spec.task_id, settings.spec_shards)
    text = spec.to_json()
    if path.exists() and path.read_text() == text:
        return False
    make_dir(settings.spec_folder, PRIVATE)  # specs hold every task's arguments and variables
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=".tmp-", suffix=".part", delete=False
    ) as tmp:
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
    fileloc = shard_loader_name(shard)
    dags.request_parse(session, fileloc)
    with contextlib.suppress(OSError):  # not on this machine's disk: the request alone will do
        os.utime(dags_folder() / fileloc)


def current_spec(
    task: TaskRow,
    orchestration: OrchestrationRow | None,
    settings: WallarooSettings,
    owner: UserRow | None = None,
    workspace: WorkspaceRow | None = None,
) -> TaskSpec | None:
    """The spec the task should have now.

    Without its orchestration (deleted after the task was killed), the spec on disk is
    brought in line with the row's kill and pause; with no spec on disk either, None.
    """
    if orchestration is not None:
        return render_spec(task, orchestration, owner, workspace)
    try:
        written = TaskSpec.from_json(settings.layout.spec_path(task.id, settings.spec_shards).read_text())
    except FileNotFoundError:
        return None
    return dataclasses.replace(written, killed=task.killed, paused=task.paused)


def publish_task(
    session: Session, task: TaskRow, orchestration: OrchestrationRow | None, settings: WallarooSettings
) -> None:
    """Write the task's spec and ask for its shard to be parsed now."""
    owner = session.get(UserRow, task.owner_id)
    workspace = session.get(WorkspaceRow, task.workspace_id)
    spec = current_spec(task, orchestration, settings, owner, workspace)
    if spec is None:
        log.warning("Task %s has neither its orchestration nor a spec: nothing to publish", task.id)
        return
    if write_spec(spec, settings):
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
    rows = session.execute(
        select(TaskRow, OrchestrationRow, UserRow, WorkspaceRow)
        .outerjoin(OrchestrationRow, OrchestrationRow.id == TaskRow.orch_id)
        .outerjoin(UserRow, UserRow.user_id == TaskRow.owner_id)
        .outerjoin(WorkspaceRow, WorkspaceRow.id == TaskRow.workspace_id)
    )
    for task, orchestration, owner, workspace in rows:
        spec = current_spec(task, orchestration, settings, owner, workspace)
        if spec is not None and write_spec(spec, settings):
            stale_shards.add(shard_of(task.id, settings.spec_shards))
            written += 1
    stale_shards.update(remove_misplaced_specs(settings))
    # One request per shard, after the files: no write lock is held while specs are written.
    for shard in sorted(stale_shards):
        request_shard_reparse(session, shard)
    if written:
        log.info("Reconcile re-rendered %d task specs", written)
    return written
