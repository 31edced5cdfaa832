"""Where GraphQL answers come from: the services' public functions, with the caller's rules.

Every resolver goes through this module, so re-pointing GraphQL at restructured services
touches only here. Each function returns plain dicts shaped like the schema's types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import ForbiddenError, NotFoundError
from airflow_wallaroo.services import callers, orchestrations, workspaces
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.tables import WorkspaceRow


@dataclass(frozen=True)
class GraphQLContext:
    """What every resolver gets: the request's session, its authenticated caller, the settings."""

    session: Session
    caller: Caller
    settings: WallarooSettings


def workspace_view(row: WorkspaceRow) -> dict[str, Any]:
    """A workspace as the schema's ``workspace`` type (users are resolved on demand)."""
    return {
        "id": row.id,
        "name": row.name,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "archived": bool(row.archived),
        "models": [],
        "pipelines": [],
    }


def list_workspaces(ctx: GraphQLContext) -> list[dict[str, Any]]:
    return [workspace_view(row) for row in workspaces.list_workspaces(ctx.session, ctx.caller)]


def get_workspace(ctx: GraphQLContext, workspace_id: int) -> dict[str, Any]:
    """404 if it does not exist, 403 if the caller is not a member: the /v1/api rules."""
    return workspace_view(workspaces.require_member(ctx.session, ctx.caller, workspace_id))


def workspace_users(ctx: GraphQLContext, workspace_id: int) -> list[dict[str, Any]]:
    return [
        {"user_id": m.user_id, "user_type": m.user_type, "workspace_id": workspace_id}
        for m in workspaces.list_users(ctx.session, ctx.caller, workspace_id)
    ]


def default_workspace(ctx: GraphQLContext) -> dict[str, Any] | None:
    """The caller's default workspace, made on their first call; None if they left it."""
    user = callers.record_user(ctx.session, ctx.caller, ctx.settings.default_workspace_name)
    if user.default_workspace_id is None:
        return None
    try:
        return get_workspace(ctx, user.default_workspace_id)
    except (ForbiddenError, NotFoundError):
        return None


def create_workspace(ctx: GraphQLContext, name: str, members: list[Mapping[str, Any]]) -> dict[str, Any]:
    """A new workspace owned by the caller; other ``members`` are added as owners ask."""
    row = workspaces.create_workspace(ctx.session, ctx.caller, name)
    for member in members:
        user_id = member.get("user_id")
        if user_id and user_id != ctx.caller.user_id:
            workspaces.add_user(
                ctx.session,
                ctx.caller,
                row.id,
                email=None,
                user_id=user_id,
                user_type="owner" if member.get("user_type") in ("owner", "OWNER") else "collaborator",
            )
    return workspace_view(row)


def workspace_named(ctx: GraphQLContext, name: str) -> dict[str, Any] | None:
    return next((w for w in list_workspaces(ctx) if w["name"] == name), None)


def memberships(ctx: GraphQLContext) -> list[dict[str, Any]]:
    """Every membership of every workspace the caller is in."""
    return [user for w in list_workspaces(ctx) for user in workspace_users(ctx, w["id"])]


def remove_workspace_user(ctx: GraphQLContext, workspace_id: int, user_id: str) -> None:
    workspaces.remove_user(ctx.session, ctx.caller, workspace_id, email=None, user_id=user_id)


def get_orchestration(ctx: GraphQLContext, orchestration_id: str) -> dict[str, Any]:
    found = orchestrations.get_orchestration(ctx.session, ctx.caller, orchestration_id, ctx.settings)
    row = found.row
    return {
        "id": row.id,
        "name": row.name,
        "file_name": row.file_name,
        "file_size": row.file_size,
        "sha": row.sha,
        "status": found.status,
        "task_id": row.packaging_run_id,
        "owner_id": row.owner_id,
        "created_by": row.owner_id,
        "workspace_id": row.workspace_id,
        "image_path": found.image,
        "created_on_version": None,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


__all__ = [
    "GraphQLContext",
    "create_workspace",
    "default_workspace",
    "get_orchestration",
    "get_workspace",
    "list_workspaces",
    "memberships",
    "remove_workspace_user",
    "workspace_named",
    "workspace_users",
]
