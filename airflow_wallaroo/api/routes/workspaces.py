"""``/v1/api/workspaces/*``: routes parse, call one service, and return a response model."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from airflow_wallaroo.api import deps
from airflow_wallaroo.api.deps import CallerDep, SessionDep, SettingsDep
from airflow_wallaroo.api.models.workspaces import (
    AddUserRequest,
    CreateWorkspaceRequest,
    CreateWorkspaceResponse,
    EmptyResponse,
    ListUsersRequest,
    ListUsersResponse,
    ListWorkspacesRequest,
    ListWorkspacesResponse,
    RemoveUserResponse,
    Workspace,
    WorkspaceUserRequest,
    WorkspaceUserResponse,
)
from airflow_wallaroo.api.openapi import errors
from airflow_wallaroo.api.paging import paged
from airflow_wallaroo.services import paging, workspaces

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


@router.post("/create", dependencies=[deps.EDIT], responses=errors(409))
def create_workspace(
    body: CreateWorkspaceRequest, caller: CallerDep, session: SessionDep
) -> CreateWorkspaceResponse:
    """Create a workspace; the caller becomes its owner."""
    workspace = workspaces.create_workspace(session, caller, body.workspace_name)
    return CreateWorkspaceResponse(workspace_id=workspace.id)


@router.post("/list", dependencies=[deps.READ])
def list_workspaces(
    request: Request,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    body: ListWorkspacesRequest | None = None,
) -> ListWorkspacesResponse:
    """List the caller's workspaces (with ``user_id``: those that user shares with the caller)."""
    body = body or ListWorkspacesRequest()
    at = paging.window(settings.paging, body.limit, body.offset)
    rows = paged(request, response, workspaces.page_workspaces(session, caller, at, body.user_id))
    return ListWorkspacesResponse(workspaces=[Workspace.model_validate(r) for r in rows])


@router.post("/add_user", dependencies=[deps.EDIT], responses=errors(404, 409))
def add_user(body: AddUserRequest, caller: CallerDep, session: SessionDep) -> EmptyResponse:
    """Add a user to a workspace (owners only)."""
    workspaces.add_user(
        session, caller, body.workspace_id, email=body.email, user_id=body.user_id, user_type=body.user_type
    )
    return EmptyResponse()


@router.post("/remove_user", dependencies=[deps.EDIT], responses=errors(404, 409))
def remove_user(body: WorkspaceUserRequest, caller: CallerDep, session: SessionDep) -> RemoveUserResponse:
    """Remove a user from a workspace (owners only; never the last owner)."""
    workspaces.remove_user(session, caller, body.workspace_id, email=body.email, user_id=body.user_id)
    # The service removes exactly one membership or raises (404 not a member, 409 last owner).
    return RemoveUserResponse(affected_rows=1)


@router.post("/list_users", dependencies=[deps.READ], responses=errors(404))
def list_users(
    request: Request,
    response: Response,
    body: ListUsersRequest,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ListUsersResponse:
    """List a workspace's users and their roles."""
    at = paging.window(settings.paging, body.limit, body.offset)
    members = paged(request, response, workspaces.page_users(session, caller, body.workspace_id, at))
    return ListUsersResponse(users=[WorkspaceUserResponse.model_validate(m) for m in members])
