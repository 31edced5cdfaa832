"""``/v1/api/orchestration/*``: upload, list, get, list_all, download, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from airflow_wallaroo.api import deps
from airflow_wallaroo.api.deps import ArchiveReaderDep, CallerDep, SessionDep, SettingsDep
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
from airflow_wallaroo.api.models.tasks import TaskResponse
from airflow_wallaroo.api.multipart import receive_upload
from airflow_wallaroo.api.openapi import errors
from airflow_wallaroo.api.paging import paged
from airflow_wallaroo.api.upload_slots import upload_slots
from airflow_wallaroo.core.bounds import Id
from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.services import orchestrations, overview, paging
from airflow_wallaroo.services.orchestrations import UploadMetadata
from airflow_wallaroo.usecases.delete_orchestrations import delete_orchestrations as delete_with_tasks
from airflow_wallaroo.usecases.upload import register_upload

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
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the orchestration ZIP",
                        },
                        "metadata": {
                            **UploadMetadata.model_json_schema(),
                            "description": "JSON, as an application/json part (or a plain field)",
                        },
                    },
                },
                "encoding": {"metadata": {"contentType": "application/json"}},
            }
        },
    }
}


@router.post(
    "/upload",
    status_code=202,
    openapi_extra=UPLOAD_BODY,
    dependencies=[deps.RUN],
    responses=errors(404, 413, 429, 507),
)
async def upload_orchestration(request: Request, caller: CallerDep, settings: SettingsDep) -> UploadResponse:
    """Upload an orchestration ZIP; 202 as soon as it is validated and stored, packaging follows.

    Past ``[wallaroo] max_concurrent_uploads`` in flight, 429 with ``Retry-After`` before
    any of the body is read.
    """
    with upload_slots.hold(settings.max_concurrent_uploads):
        received = await receive_upload(
            request,
            settings.layout.incoming,
            max_bytes=settings.limits.max_archive_bytes,
            min_free_bytes=settings.limits.min_free_bytes,
        )
        try:
            if received.path is None:
                raise InvalidRequestError(
                    "file: required (the orchestration ZIP as a file part named 'file')"
                )
            upload = orchestrations.IncomingArchive(
                path=received.path,
                sha=received.sha,
                size=received.size,
                file_name=received.file_name,
                metadata=received.metadata,
            )
            orchestration_id = await run_in_threadpool(register_upload, caller, upload, settings)
        finally:
            received.discard()
    return UploadResponse(id=orchestration_id)


@router.post("/list", dependencies=[deps.READ], responses=errors(404))
def list_orchestrations(
    request: Request,
    response: Response,
    body: ListRequest,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> list[OrchestrationResponse]:
    """List the orchestrations of one workspace, newest first, one page (headers: X-Total-Count, Link)."""
    at = paging.window(settings.paging, body.limit, body.offset)
    page = orchestrations.list_orchestrations(
        session, caller, settings, at, workspace_ids=[body.workspace_id]
    )
    return [OrchestrationResponse.of(o) for o in paged(request, response, page)]


@router.post("/get_by_id", dependencies=[deps.READ], responses=errors(404))
def get_orchestration(
    body: GetByIdRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> OrchestrationResponse:
    """Return one orchestration."""
    return OrchestrationResponse.of(orchestrations.get_orchestration(session, caller, body.id, settings))


@router.post("/list_all", dependencies=[deps.READ], responses=errors(404))
def list_all(
    request: Request,
    response: Response,
    body: ListAllRequest,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ListAllResponse:
    """List orchestrations across the caller's workspaces, with their tasks and workspace, one page."""
    page = overview.list_all(
        session,
        caller,
        settings,
        paging.window(settings.paging, body.limit, body.offset),
        workspace_ids=body.workspace_ids,
        task_run_status=body.task_run_status,
        killed=body.killed,
        created_between=body.time_range,
    )
    return ListAllResponse(
        orchestrations=[
            OrchestrationWithTasks(
                orchestration=OrchestrationResponse.of(entry.orchestration),
                tasks=[TaskResponse.of(t).model_dump(mode="json") for t in entry.tasks],
                workspace=WorkspaceRef.model_validate(entry.workspace),
            )
            for entry in paged(request, response, page)
        ]
    )


@own_auth_router.get(
    "/download",
    response_model=None,
    response_class=FileResponse,
    responses={
        200: {
            "description": "The archive's original bytes; X-Orchestration-Sha holds their sha256",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"X-Orchestration-Sha": {"schema": {"type": "string"}}},
        },
        **errors(400, 401, 403, 404),
    },
)
def download_orchestration(
    id: Annotated[Id, Query(description="the orchestration id")],
    caller: ArchiveReaderDep,
    session: SessionDep,
    settings: SettingsDep,
) -> FileResponse | StreamingResponse:
    """Stream back the original bytes of the uploaded ZIP (to a user, or to a task-run pod)."""
    row, store = orchestrations.archive_for_download(session, caller, id, settings)
    headers = {"X-Orchestration-Sha": row.sha}
    local = store.local_path(row.sha)
    if local is not None:
        return FileResponse(local, media_type="application/zip", filename=row.file_name, headers=headers)
    handle = store.open_archive(row.sha)

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk

    headers["Content-Disposition"] = f'attachment; filename="{row.file_name}"'
    return StreamingResponse(chunks(), media_type="application/zip", headers=headers)


@router.post("/delete_orchestrations", dependencies=[deps.DELETE], responses=errors(404, 409))
def delete_orchestrations(
    body: DeleteRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> DeleteResponse:
    """Delete orchestrations (and their archives once no other orchestration uses them)."""
    deleted = delete_with_tasks(session, caller, settings, body.orchestrations, body.confirm_delete)
    return DeleteResponse(bytes=deleted.bytes_freed, deleted=deleted.ids)
