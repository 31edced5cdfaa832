"""Bodies of the ``workspaces/*`` endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from airflow_wallaroo.api.models import PagedRequest, RequestBody, ResponseBody, Timestamp


class CreateWorkspaceRequest(RequestBody):
    workspace_name: str = Field(min_length=1, max_length=250)


class CreateWorkspaceResponse(ResponseBody):
    workspace_id: int


class ListWorkspacesRequest(PagedRequest):
    user_id: str | None = None


class WorkspaceResponse(ResponseBody):
    id: int
    name: str
    created_at: Timestamp
    created_by: str
    archived: bool
    models: list[Any] = Field(default_factory=list)
    pipelines: list[Any] = Field(default_factory=list)


class ListWorkspacesResponse(ResponseBody):
    workspaces: list[WorkspaceResponse]


class WorkspaceUserRequest(RequestBody):
    workspace_id: int
    email: str | None = None
    user_id: str | None = None


class AddUserRequest(WorkspaceUserRequest):
    user_type: Literal["owner", "collaborator"] = "collaborator"


class ListUsersRequest(PagedRequest):
    workspace_id: int


class WorkspaceUserResponse(ResponseBody):
    user_id: str
    user_type: str


class ListUsersResponse(ResponseBody):
    users: list[WorkspaceUserResponse]


class EmptyResponse(ResponseBody):
    pass


class RemoveUserResponse(ResponseBody):
    """The SDK's ``WorkspacesRemoveUserResponse200`` requires ``affected_rows``."""

    affected_rows: int
