"""Orchestrations: add a validated upload, list, read, download and remove them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from airflow_wallaroo.core.bounds import Int64, Name
from airflow_wallaroo.exceptions import ConflictError, ForbiddenError, InvalidRequestError, NotFoundError
from airflow_wallaroo.runners.base import get_runner
from airflow_wallaroo.services import packaging, paging, workspaces
from airflow_wallaroo.services.archive_validation import inspect_archive
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.artifacts import ArtifactStore, open_artifact_store
from airflow_wallaroo.store.tables import OrchestrationRow, WorkspaceRow


class UploadMetadata(BaseModel):
    """The ``metadata`` part of an upload; a field it does not declare is refused, naming it."""

    model_config = ConfigDict(extra="forbid")

    workspace_id: Int64
    name: Name | None = None


@dataclass(frozen=True)
class Orchestration:
    """An orchestration as the API shows it: its row, derived status, and its runs' image."""

    row: OrchestrationRow
    status: str
    image: str
    msg: str | None = None


@dataclass(frozen=True)
class IncomingArchive:
    """An upload already on local disk, with its sha256 and the client's metadata."""

    path: Path
    sha: str
    size: int
    file_name: str
    metadata: bytes | None


def parse_metadata(raw: bytes | None) -> UploadMetadata:
    """Parse the ``metadata`` part; errors name the field as ``metadata.<field>``."""
    if raw is None:
        raise InvalidRequestError("metadata: required (JSON with workspace_id, and optionally name)")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(f"metadata: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):  # not UTF-8, or nested beyond the parser's depth
        raise InvalidRequestError("metadata: not valid JSON (not UTF-8 text, or nested too deeply)") from None
    try:
        return UploadMetadata.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise InvalidRequestError(f"metadata.{field}: {msg}" if field else f"metadata: {msg}") from None


def add_orchestration(
    session: Session, caller: Caller, upload: IncomingArchive, settings: WallarooSettings
) -> OrchestrationRow:
    """Validate and store an upload, and add its row (flushed; the caller commits, then packages).

    The archive is stored before the row is written, so a row never points at nothing;
    a crash in between leaves an unreferenced archive that the sweep removes.
    """
    metadata = parse_metadata(upload.metadata)
    workspaces.require_member(session, caller, metadata.workspace_id)
    manifest = inspect_archive(upload.path, settings.limits)
    store = open_artifact_store(settings.artifact_store)
    store.put_archive(upload.sha, upload.path)
    row = OrchestrationRow(
        id=str(uuid.uuid4()),
        sha=upload.sha,
        name=(metadata.name or _stem(upload.file_name))[:250],
        file_name=upload.file_name[:250],
        file_size=upload.size,
        entrypoint=manifest.entrypoint,
        requirements=manifest.requirements,
        image_path=get_runner(settings.runner).image(settings),
        workspace_id=metadata.workspace_id,
        owner_id=caller.user_id,
        packaging_run_id=str(uuid.uuid4()),
    )
    session.add(row)
    session.flush()
    return row


def get_orchestration(
    session: Session, caller: Caller, orchestration_id: str, settings: WallarooSettings
) -> Orchestration:
    """Return one orchestration of the caller's workspaces: 404 if unknown, 403 if not theirs."""
    row = session.get(OrchestrationRow, orchestration_id)
    if row is None:
        raise NotFoundError(f"id: orchestration {orchestration_id} does not exist")
    try:
        workspaces.require_member(session, caller, row.workspace_id)
    except ForbiddenError:
        raise ForbiddenError(
            f"id: orchestration {orchestration_id} is in a workspace you are not a member of"
        ) from None
    return with_status(session, [row], settings)[0]


def list_orchestrations(
    session: Session,
    caller: Caller,
    settings: WallarooSettings,
    at: paging.Window,
    *,
    workspace_ids: Sequence[int] | None = None,
) -> paging.Page[Orchestration]:
    """One page of the orchestrations in the given workspaces (or all the caller's), newest first."""
    rows, total = paging.fetch(session, orchestrations_query(session, caller, workspace_ids), at)
    return paging.Page(items=with_status(session, rows, settings), total=total, window=at)


def orchestrations_query(
    session: Session,
    caller: Caller,
    workspace_ids: Sequence[int] | None = None,
    created_between: tuple[datetime, datetime] | None = None,
) -> Select[Any]:
    """Orchestrations in the given workspaces (each must be the caller's), or in all of theirs."""
    if workspace_ids:
        for workspace_id in workspace_ids:
            workspaces.require_member(session, caller, workspace_id)
        allowed = list(workspace_ids)
    else:
        allowed = workspaces.workspace_ids_of(session, caller)
    query = select(OrchestrationRow).where(OrchestrationRow.workspace_id.in_(allowed))
    if created_between is not None:
        query = query.where(OrchestrationRow.created_at.between(*created_between))
    return query.order_by(OrchestrationRow.created_at.desc(), OrchestrationRow.id.desc())


def workspaces_by_id(session: Session, ids: Sequence[int]) -> dict[int, WorkspaceRow]:
    return {w.id: w for w in session.scalars(select(WorkspaceRow).where(WorkspaceRow.id.in_(set(ids))))}


def with_status(
    session: Session, rows: Sequence[OrchestrationRow], settings: WallarooSettings
) -> list[Orchestration]:
    """Attach each row's status from its packaging run, restarting runs that never started."""
    states = packaging.packaging_states(session, (r.packaging_run_id for r in rows))
    envs = settings.layout.envs
    image = get_runner(settings.runner).image(settings)
    result = []
    for row in rows:
        state = states.get(row.packaging_run_id)
        if state is None:
            # The API stopped (or the DAG was not loaded) between the row and the trigger.
            packaging.trigger_packaging(row, None)
        status = packaging.status_of(state)
        msg = None
        if status == "error":
            error_file = envs.error_file(row.sha)
            msg = (
                error_file.read_text()[-2000:]
                if error_file.exists()
                else "packaging failed, three times, for a reason other than the archive's requirements "
                f"(the platform could not run it): run {row.packaging_run_id} of the DAG "
                "wallaroo_packaging in Airflow has the details; upload the archive again to retry"
            )
        result.append(Orchestration(row=row, status=status, image=image, msg=msg))
    return result


def require_ready(orchestration: Orchestration) -> None:
    """Refuse to run an orchestration that is not packaged yet."""
    if orchestration.status != "ready":
        raise ConflictError(
            f"orch_id: orchestration {orchestration.row.id} is {orchestration.status}, not ready"
        )


def archive_for_download(
    session: Session, caller: Caller | None, orchestration_id: str, settings: WallarooSettings
) -> tuple[OrchestrationRow, ArtifactStore]:
    """Return the row and the store to stream the original bytes from.

    ``caller`` is None for a task-run pod holding an archive token for this orchestration.
    """
    if caller is not None:
        row = get_orchestration(session, caller, orchestration_id, settings).row
    elif (found := session.get(OrchestrationRow, orchestration_id)) is not None:
        row = found
    else:
        raise NotFoundError(f"id: orchestration {orchestration_id} does not exist")
    store = open_artifact_store(settings.artifact_store)
    if not store.has_archive(row.sha):
        raise NotFoundError(
            f"id: the archive of orchestration {orchestration_id} is missing from the artifact store"
        )
    return row, store


def remove_orchestrations(session: Session, rows: Sequence[OrchestrationRow]) -> dict[str, int]:
    """Delete the rows (flushed); return their archives' sizes by sha, for after the commit."""
    for row in rows:
        session.delete(row)
    session.flush()
    return {r.sha: r.file_size for r in rows}


def delete_unused_archives(session: Session, sizes: dict[str, int], settings: WallarooSettings) -> int:
    """Delete each archive that no orchestration uses any more; return the bytes freed.

    Runs after the rows' deletion is committed: a crash in between leaves unreferenced
    archives, which the sweep removes, never a row without its archive.
    """
    store = open_artifact_store(settings.artifact_store)
    freed = 0
    for sha, size in sizes.items():
        still_used = session.scalar(select(OrchestrationRow.id).where(OrchestrationRow.sha == sha).limit(1))
        if still_used is None and store.has_archive(sha):
            store.delete_archive(sha)
            freed += size
    return freed


def sweep_unreferenced_archives(session: Session, store: ArtifactStore, older_than_seconds: float) -> int:
    """Remove stored archives that no orchestration row points at (crash leftovers).

    Only archives older than ``older_than_seconds`` go: a younger one may belong to an
    upload whose row is being written right now.
    """
    referenced = set(session.scalars(select(OrchestrationRow.sha).distinct()))
    removed = 0
    for sha in list(store.list_archives(older_than_seconds)):
        if sha not in referenced:
            store.delete_archive(sha)
            removed += 1
    return removed


def _stem(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0] if "." in file_name else file_name
