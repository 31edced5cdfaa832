"""Resolvers: read the arguments, call :mod:`.sources`, shape nothing themselves."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from airflow_wallaroo.api.graphql import sources
from airflow_wallaroo.api.graphql.filters import keep
from airflow_wallaroo.exceptions import ConflictError, InvalidRequestError

Info = GraphQLResolveInfo[sources.GraphQLContext]

#: Hasura's root type names, which the SDK's introspected schema carries.
query = ObjectType("query_root")
mutation = ObjectType("mutation_root")
workspace = ObjectType("workspace")
orchestration = ObjectType("orchestration")


def _ctx(info: Info) -> sources.GraphQLContext:
    return info.context


@query.field("workspace")
def resolve_workspaces(_: Any, info: Info, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return keep(sources.list_workspaces(_ctx(info)), lambda w: w, where)


@query.field("workspace_by_pk")
def resolve_workspace_by_pk(_: Any, info: Info, id: int) -> dict[str, Any]:
    return sources.get_workspace(_ctx(info), id)


@query.field("user_default_workspace")
def resolve_user_default_workspace(
    _: Any, info: Info, where: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    ctx = _ctx(info)
    found = sources.default_workspace(ctx)
    rows = (
        []
        if found is None
        else [{"user_id": ctx.caller.user_id, "workspace_id": found["id"], "workspace": found}]
    )
    return keep(rows, lambda r: {"user_id": r["user_id"], "workspace_id": r["workspace_id"]}, where)


@query.field("orchestration_by_pk")
def resolve_orchestration_by_pk(_: Any, info: Info, id: str) -> dict[str, Any]:
    return sources.get_orchestration(_ctx(info), id)


@workspace.field("users")
def resolve_workspace_users(obj: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    return sources.workspace_users(_ctx(info), obj["id"])


@orchestration.field("workspace")
def resolve_orchestration_workspace(obj: dict[str, Any], info: Info) -> dict[str, Any]:
    return sources.get_workspace(_ctx(info), obj["workspace_id"])


@mutation.field("insert_workspace_one")
def resolve_insert_workspace_one(
    _: Any, info: Info, object: dict[str, Any], on_conflict: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Create a workspace, or (with ``user_default_workspaces``) answer the caller's default one.

    The server gives every user a default workspace on their first call, so the SDK's
    CreateDefaultUserWorkspace finds it made. With ``on_conflict`` and a name already
    taken, Hasura inserts nothing and answers null; so do we.
    """
    ctx = _ctx(info)
    if object.get("user_default_workspaces"):
        found = sources.default_workspace(ctx)
        if found is not None:
            return found
    name = object.get("name")
    if not name:
        raise InvalidRequestError("object.name: required")
    members = (object.get("users") or {}).get("data") or []
    try:
        return sources.create_workspace(ctx, name, members)
    except ConflictError:
        if on_conflict is None:
            raise
        return None


@mutation.field("delete_workspace_users")
def resolve_delete_workspace_users(_: Any, info: Info, where: dict[str, Any]) -> dict[str, Any]:
    """Remove every membership matching ``where`` among the caller's workspaces (owners only)."""
    ctx = _ctx(info)
    if not where:
        raise InvalidRequestError("where: must name the memberships to delete")
    doomed = keep(sources.memberships(ctx), lambda m: m, where)
    for member in doomed:
        sources.remove_workspace_user(ctx, member["workspace_id"], member["user_id"])
    return {"affected_rows": len(doomed)}


BINDABLES = (query, mutation, workspace, orchestration)
