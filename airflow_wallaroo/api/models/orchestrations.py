"""Bodies of the ``orchestration/*`` endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from airflow_wallaroo.api.models import PagedRequest, RequestBody, ResponseBody, Timestamp
from airflow_wallaroo.core.bounds import MAX_FILTER_ITEMS, Flag, Id, Instant, Int64, Name
from airflow_wallaroo.services.orchestrations import Orchestration


class UploadResponse(ResponseBody):
    id: str


class OrchestrationResponse(ResponseBody):
    id: str
    sha: str
    name: str
    file_name: str
    file_size: int
    image_path: str
    task_id: str
    owner_id: str
    workspace_id: int
    status: str
    msg: str | None = None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, orchestration: Orchestration) -> OrchestrationResponse:
        row = orchestration.row
        return cls(
            id=row.id,
            sha=row.sha,
            name=row.name,
            file_name=row.file_name,
            file_size=row.file_size,
            image_path=orchestration.image,
            task_id=row.packaging_run_id,
            owner_id=row.owner_id,
            workspace_id=row.workspace_id,
            status=orchestration.status,
            msg=orchestration.msg,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class ListRequest(PagedRequest):
    workspace_id: Int64


class GetByIdRequest(RequestBody):
    id: Id


class ListAllRequest(PagedRequest):
    workspace_ids: list[Int64] = Field(default_factory=list, max_length=MAX_FILTER_ITEMS)
    task_run_status: list[Name] = Field(default_factory=list, max_length=MAX_FILTER_ITEMS)
    killed: Flag | None = None
    time_range: tuple[Instant, Instant] | None = None


class WorkspaceRef(ResponseBody):
    """The workspace of a ``list_all`` entry: ``workspaces/list``'s object less models and pipelines."""

    id: int
    name: str
    created_at: Timestamp
    created_by: str
    archived: bool


class OrchestrationWithTasks(ResponseBody):
    orchestration: OrchestrationResponse
    tasks: list[dict[str, Any]] = Field(default_factory=list)
    workspace: WorkspaceRef


class ListAllResponse(ResponseBody):
    orchestrations: list[OrchestrationWithTasks]


class DeleteRequest(RequestBody):
    orchestrations: list[Id] = Field(min_length=1, max_length=MAX_FILTER_ITEMS)
    confirm_delete: Flag = False


class DeleteResponse(ResponseBody):
    #: Archive bytes freed (archives no other orchestration uses); the SDK's model requires it.
    bytes: int
    deleted: list[str]
