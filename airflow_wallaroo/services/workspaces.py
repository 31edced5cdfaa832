"""Workspaces and their members: creation, listing, and owner-only membership changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import (
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
)
from airflow_wallaroo.services import paging, user_directory
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.store.tables import WorkspaceMemberRow, WorkspaceRow

UserType = Literal["owner", "collaborator"]


def create_workspace(session: Session, caller: Caller, name: str) -> WorkspaceRow:
    """Create a workspace owned by the caller; names are unique, as in Wallaroo."""
    name = name.strip()
    if not name:
        raise InvalidRequestError("workspace_name: must not be empty")
    if session.scalar(select(WorkspaceRow.id).where(WorkspaceRow.name == name)) is not None:
        raise ConflictError(f"workspace_name: a workspace named {name!r} already exists")
    workspace = WorkspaceRow(name=name, created_by=caller.user_id, archived=False)
    workspace.members.append(WorkspaceMemberRow(user_id=caller.user_id, user_type="owner"))
    session.add(workspace)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"workspace_name: a workspace named {name!r} already exists") from None
    return workspace


def list_workspaces(session: Session, caller: Caller, user_id: str | None = None) -> Sequence[WorkspaceRow]:
    """List the caller's workspaces; with ``user_id``, only those that user shares with the caller."""
    return list(session.scalars(_workspaces_query(caller, user_id)))


def page_workspaces(
    session: Session, caller: Caller, at: paging.Window, user_id: str | None = None
) -> paging.Page[WorkspaceRow]:
    """One page of ``list_workspaces``, oldest first."""
    rows, total = paging.fetch(session, _workspaces_query(caller, user_id), at)
    return paging.Page(items=rows, total=total, window=at)


def _workspaces_query(caller: Caller, user_id: str | None) -> Select[Any]:
    query = select(WorkspaceRow).where(WorkspaceRow.id.in_(_member_of(caller.user_id)))
    if user_id is not None and user_id != caller.user_id:
        query = query.where(WorkspaceRow.id.in_(_member_of(user_id)))
    return query.order_by(WorkspaceRow.id)


def workspace_ids_of(session: Session, caller: Caller) -> list[int]:
    """Return the ids of every workspace the caller is a member of."""
    return list(session.scalars(_member_of(caller.user_id)))


def require_member(session: Session, caller: Caller, workspace_id: int) -> WorkspaceRow:
    """Return the workspace if the caller is a member: 404 if it does not exist, else 403."""
    workspace = session.get(WorkspaceRow, workspace_id)
    if workspace is None:
        raise NotFoundError(f"workspace_id: workspace {workspace_id} does not exist")
    if _membership(workspace, caller.user_id) is None:
        raise ForbiddenError(f"workspace_id: you are not a member of workspace {workspace_id}")
    return workspace


def require_owner(session: Session, caller: Caller, workspace_id: int) -> WorkspaceRow:
    """Return the workspace if the caller owns it; members who are not owners get 403."""
    workspace = require_member(session, caller, workspace_id)
    member = _membership(workspace, caller.user_id)
    if member is None or member.user_type != "owner":
        raise ForbiddenError(f"workspace_id: only owners of workspace {workspace_id} may change its users")
    return workspace


def add_user(
    session: Session,
    caller: Caller,
    workspace_id: int,
    *,
    email: str | None,
    user_id: str | None,
    user_type: UserType,
) -> None:
    """Add a user to the workspace, or change their role if they are in it already."""
    workspace = require_owner(session, caller, workspace_id)
    target = user_directory.find_user(session, email=email, user_id=user_id)
    member = _membership(workspace, target.user_id)
    if member is None:
        workspace.members.append(WorkspaceMemberRow(user_id=target.user_id, user_type=user_type))
    else:
        if member.user_type == "owner" and user_type != "owner":
            _refuse_if_last_owner(workspace, target.user_id)
        member.user_type = user_type
    session.flush()


def remove_user(
    session: Session, caller: Caller, workspace_id: int, *, email: str | None, user_id: str | None
) -> None:
    """Remove a user from the workspace; the last owner cannot be removed."""
    workspace = require_owner(session, caller, workspace_id)
    target = user_directory.find_user(session, email=email, user_id=user_id)
    member = _membership(workspace, target.user_id)
    if member is None:
        raise NotFoundError(f"user {target.username!r} is not a member of workspace {workspace_id}")
    if member.user_type == "owner":
        _refuse_if_last_owner(workspace, target.user_id)
    workspace.members.remove(member)
    session.flush()


def list_users(session: Session, caller: Caller, workspace_id: int) -> list[WorkspaceMemberRow]:
    """List a workspace's members; any member may look."""
    workspace = require_member(session, caller, workspace_id)
    return sorted(workspace.members, key=lambda m: m.user_id)


def page_users(
    session: Session, caller: Caller, workspace_id: int, at: paging.Window
) -> paging.Page[WorkspaceMemberRow]:
    """One page of ``list_users`` (a workspace's members are few: paged in memory)."""
    return paging.slice_of(list_users(session, caller, workspace_id), at)


def _member_of(user_id: str) -> Select[int]:
    return select(WorkspaceMemberRow.workspace_id).where(WorkspaceMemberRow.user_id == user_id)


def _membership(workspace: WorkspaceRow, user_id: str) -> WorkspaceMemberRow | None:
    return next((m for m in workspace.members if m.user_id == user_id), None)


def _refuse_if_last_owner(workspace: WorkspaceRow, user_id: str) -> None:
    owners = [m for m in workspace.members if m.user_type == "owner" and m.user_id != user_id]
    if not owners:
        raise ConflictError(f"workspace {workspace.id} must keep at least one owner")


__all__ = [
    "add_user",
    "create_workspace",
    "list_users",
    "list_workspaces",
    "page_users",
    "page_workspaces",
    "remove_user",
    "require_member",
    "require_owner",
    "workspace_ids_of",
]
