"""``/v1/api/orchestration/*``: upload, list, get, list_all, download, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from airflow_wallaroo.api.deps import ArchiveReaderDep, CallerDep, SessionDep
from airflow_wallaroo.api.models.orchestrations import (
    DeleteRequest,
    DeleteResponse,
    GetByIdRequest,
    ListAllRequest,
    ListAllResponse,
    ListRequest,
    OrchestrationResponse,
    OrchestrationWithTasks,
    UploadResponse,
    WorkspaceRef,
)
from airflow_wallaroo.api.multipart import receive_upload
from airflow_wallaroo.api.models.tasks import TaskResponse
from airflow_wallaroo.services import orchestrations, tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import load_settings
from airflow_wallaroo.store.artifacts import open_artifact_store

router = APIRouter(prefix="/orchestration", tags=["orchestrations"])
#: Routes that authenticate for themselves (download also takes a pod's archive token).
own_auth_router = APIRouter(prefix="/orchestration", tags=["orchestrations"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "metadata"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the orchestration ZIP"},
                        "metadata": {
                            "type": "string",
                            "description": 'JSON: {"workspace_id": int, "name": str?}, as a field or an application/json part',
                        },
                    },
                }
            }
        },
    }
}


def _register(caller: Caller, received, settings) -> str:
    from airflow.utils.session import create_session

    with create_session(scoped=False) as session:
        upload = orchestrations.IncomingArchive(
            path=received.path, sha=received.sha, size=received.size,
            file_name=received.file_name, metadata=received.metadata,
        )
        return orchestrations.register_upload(session, caller, upload, settings).id


@router.post("/upload", status_code=202, openapi_extra=UPLOAD_BODY)
async def upload_orchestration(request: Request, caller: CallerDep) -> UploadResponse:
    """Upload an orchestration ZIP; 202 as soon as it is validated and stored, packaging follows."""
    settings = load_settings()
    received = await receive_upload(
        request,
        settings.data_folder / "incoming",
        max_bytes=settings.limits.max_archive_bytes,
        min_free_bytes=settings.limits.min_free_bytes,
    )
    try:
        if received.path is None:
            from airflow_wallaroo.exceptions import InvalidRequestError

            raise InvalidRequestError("file: required (the orchestration ZIP as a file part named 'file')")
        orchestration_id = await run_in_threadpool(_register, caller, received, settings)
    finally:
        received.discard()
    return UploadResponse(id=orchestration_id)


@router.post("/list")
def list_orchestrations(body: ListRequest, caller: CallerDep, session: SessionDep) -> list[OrchestrationResponse]:
    """List the orchestrations of one workspace."""
    found = orchestrations.list_orchestrations(session, caller, load_settings(), workspace_ids=[body.workspace_id])
    return [OrchestrationResponse.of(o) for o in found]


@router.post("/get_by_id")
def get_orchestration(body: GetByIdRequest, caller: CallerDep, session: SessionDep) -> OrchestrationResponse:
    """Return one orchestration."""
    return OrchestrationResponse.of(orchestrations.get_orchestration(session, caller, body.id, load_settings()))


@router.post("/list_all")
def list_all(body: ListAllRequest, caller: CallerDep, session: SessionDep) -> ListAllResponse:
    """List orchestrations across the caller's workspaces, with their tasks and workspace."""
    settings = load_settings()
    found = orchestrations.list_orchestrations(
        session, caller, settings, workspace_ids=body.workspace_ids, created_between=body.time_range
    )
    by_orchestration: dict[str, list] = {}
    for task in tasks.list_tasks(session, caller, settings):
        by_orchestration.setdefault(task.row.orch_id, []).append(task)
    names = orchestrations.workspaces_by_id(session, [o.row.workspace_id for o in found])
    result = []
    for orchestration in found:
        its_tasks = by_orchestration.get(orchestration.row.id, [])
        # Task filters keep the orchestrations that have a task matching them.
        if body.killed is not None and not any(t.row.killed == body.killed for t in its_tasks):
            continue
        if body.task_run_status and not any(
            status in body.task_run_status for t in its_tasks for status in t.statuses.values()
        ):
            continue
        result.append(
            OrchestrationWithTasks(
                orchestration=OrchestrationResponse.of(orchestration),
                tasks=[TaskResponse.of(t, settings.runner).model_dump(mode="json") for t in its_tasks],
                workspace=WorkspaceRef.model_validate(names[orchestration.row.workspace_id]),
            )
        )
    return ListAllResponse(orchestrations=result)


@own_auth_router.get("/download", response_model=None)
def download_orchestration(
    id: Annotated[str, Query(description="the orchestration id")], caller: ArchiveReaderDep, session: SessionDep
) -> FileResponse | StreamingResponse:
    """Stream back the original bytes of the uploaded ZIP (to a user, or to a task-run pod)."""
    row, store = orchestrations.archive_for_download(session, caller, id, load_settings())
    headers = {"X-Orchestration-Sha": row.sha}
    local = store.local_path(row.sha)
    if local is not None:
        return FileResponse(local, media_type="application/zip", filename=row.file_name, headers=headers)
    handle = store.open_archive(row.sha)

    def chunks():
        with handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk

    headers["Content-Disposition"] = f'attachment; filename="{row.file_name}"'
    return StreamingResponse(chunks(), media_type="application/zip", headers=headers)


@router.post("/delete_orchestrations")
def delete_orchestrations(body: DeleteRequest, caller: CallerDep, session: SessionDep) -> DeleteResponse:
    """Delete orchestrations (and their archives once no other orchestration uses them)."""
    settings = load_settings()
    # Archive bytes freed: the archives of the deleted orchestrations that are gone afterwards
    # (an archive another orchestration still uses stays, and frees nothing).
    sizes = {}
    for orchestration_id in body.orchestrations:
        row = orchestrations.get_orchestration(session, caller, orchestration_id, settings).row
        sizes[row.sha] = row.file_size
    deleted = orchestrations.delete_orchestrations(
        session, caller, body.orchestrations, body.confirm_delete, settings
    )
    store = open_artifact_store(settings.artifact_store)
    freed = sum(size for sha, size in sizes.items() if not store.has_archive(sha))
    return DeleteResponse(bytes=freed, deleted=deleted)
