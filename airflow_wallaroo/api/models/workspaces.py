"""Bodies of the ``workspaces/*`` endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from airflow_wallaroo.api.models import PagedRequest, RequestBody, ResponseBody, Timestamp, sdk_sent
from airflow_wallaroo.core.bounds import MAX_NAME_CHARS, Email, Id, Int64, Text


class CreateWorkspaceRequest(RequestBody):
    workspace_name: Text = Field(min_length=1, max_length=MAX_NAME_CHARS)


class CreateWorkspaceResponse(ResponseBody):
    workspace_id: int


class ListWorkspacesRequest(PagedRequest):
    user_id: Id | None = None


class Workspace(ResponseBody):
    """A workspace as ``workspaces/list`` shows it (named so the OpenAPI document calls it
    ``Workspace``: Schemathesis' stateful phase then sees ``workspaces/create`` produce one)."""

    id: int
    name: str
    created_at: Timestamp
    created_by: str
    archived: bool
    models: list[Any] = Field(default_factory=list)
    pipelines: list[Any] = Field(default_factory=list)


class ListWorkspacesResponse(ResponseBody):
    workspaces: list[Workspace]


#: The user is named by ``user_id`` or ``email`` (at least one, not empty).
ONE_USER: JsonDict = {
    "anyOf": [
        {"required": [key], "properties": {key: {"type": "string", "minLength": 1}}}
        for key in ("user_id", "email")
    ]
}


class WorkspaceUserRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra=ONE_USER)

    workspace_id: Int64
    email: Email | None = None
    user_id: Id | None = None


class AddUserRequest(WorkspaceUserRequest):
    user_type: Literal["owner", "collaborator"] = "collaborator"
    url: Text | None = sdk_sent("the invitation link Wallaroo e-mails; Airflow sends no e-mail")


class ListUsersRequest(PagedRequest):
    workspace_id: Int64


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
