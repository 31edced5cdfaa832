"""``airflow-wallaroo ws ...``: workspaces and their members."""

from __future__ import annotations

from typing import Annotated

import typer

from airflow_wallaroo.client.cli.context import CliError, state
from airflow_wallaroo.client.cli.output import (
    JsonOpt,
    OutputFormat,
    OutputOpt,
    print_json,
    print_table,
    stdout,
    wants_json,
    when,
)

app = typer.Typer(help="Workspaces and their members.", no_args_is_help=True)

WorkspaceArg = Annotated[int, typer.Argument(help="workspace id", metavar="WORKSPACE")]
EmailOpt = Annotated[
    str | None, typer.Option("--email", help="the user's email (Simple auth: the user name)")
]
UserIdOpt = Annotated[str | None, typer.Option("--user-id", help="the user's id in Airflow's auth manager")]


def _who(email: str | None, user_id: str | None) -> dict[str, str | None]:
    if (email is None) == (user_id is None):
        raise CliError("give exactly one of --email or --user-id")
    return {"email": email, "user_id": user_id}


@app.command("list")
def list_workspaces(
    ctx: typer.Context,
    user_id: Annotated[str | None, typer.Option("--user-id", help="only those shared with this user")] = None,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """List your workspaces."""
    found = state(ctx).client().list_workspaces(user_id)
    if wants_json(output, json_):
        print_json({"workspaces": [w.raw for w in found]})
        return
    print_table(
        ("ID", "NAME", "CREATED BY", "CREATED", "ARCHIVED"),
        ((w.id, w.name, w.created_by, when(w.created_at), "yes" if w.archived else "") for w in found),
        empty="no workspaces",
    )


@app.command("create")
def create_workspace(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="a name no other workspace has")],
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Create a workspace; you become its owner."""
    workspace_id = state(ctx).client().create_workspace(name)
    if wants_json(output, json_):
        print_json({"workspace_id": workspace_id})
    else:
        stdout().print(f"created workspace {workspace_id} ({name})")


@app.command("users")
def list_users(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """List a workspace's users and their roles."""
    users = state(ctx).client().list_users(workspace)
    if wants_json(output, json_):
        print_json({"users": [u.raw for u in users]})
        return
    print_table(("USER ID", "ROLE"), ((u.user_id, u.user_type) for u in users), empty="no users")


@app.command("add-user")
def add_user(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    email: EmailOpt = None,
    user_id: UserIdOpt = None,
    owner: Annotated[
        bool, typer.Option("--owner", help="make them an owner (default: collaborator)")
    ] = False,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Add a user to a workspace (owners only)."""
    who = _who(email, user_id)
    role = "owner" if owner else "collaborator"
    state(ctx).client().add_user(workspace, email=who["email"], user_id=who["user_id"], user_type=role)
    if wants_json(output, json_):
        print_json({})
    else:
        stdout().print(f"added {email or user_id} to workspace {workspace} as {role}")


@app.command("remove-user")
def remove_user(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    email: EmailOpt = None,
    user_id: UserIdOpt = None,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Remove a user from a workspace (owners only; never the last owner)."""
    who = _who(email, user_id)
    state(ctx).client().remove_user(workspace, email=who["email"], user_id=who["user_id"])
    if wants_json(output, json_):
        print_json({})
    else:
        stdout().print(f"removed {email or user_id} from workspace {workspace}")
