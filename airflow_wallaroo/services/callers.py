"""Who is calling: the authenticated user as the services see it, and their first call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from airflow_wallaroo.store.tables import UserRow, WorkspaceMemberRow, WorkspaceRow


@dataclass(frozen=True)
class Caller:
    """The authenticated user behind a request, as the auth manager names them."""

    user_id: str
    username: str
    email: str | None = None


def record_user(session: Session, caller: Caller, default_workspace_name: str) -> UserRow:
    """Record the caller and, on their first call, give them a default workspace (flushed).

    Wallaroo gives every new user a default workspace so they can upload at once; we do
    the same on the first authenticated call. Two first calls of one new user can race:
    the loser's flush raises ``IntegrityError``, and the caller of this function retries.
    """
    user = session.get(UserRow, caller.user_id)
    if user is not None:
        if caller.email and user.email != caller.email:
            user.email = caller.email
            session.flush()
        return user
    user = UserRow(user_id=caller.user_id, username=caller.username, email=caller.email)
    session.add(user)
    session.flush()
    workspace = WorkspaceRow(
        name=_free_default_name(session, default_workspace_name.replace("{user}", caller.username)),
        created_by=caller.user_id,
        archived=False,
    )
    workspace.members.append(WorkspaceMemberRow(user_id=caller.user_id, user_type="owner"))
    session.add(workspace)
    session.flush()
    user.default_workspace_id = workspace.id
    session.flush()
    return user


def _free_default_name(session: Session, wanted: str) -> str:
    """Return ``wanted``, or ``wanted (2)``, ... if a workspace already has that name."""
    taken = set(session.scalars(select(WorkspaceRow.name).where(WorkspaceRow.name.startswith(wanted))))
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted} ({n})" in taken:
        n += 1
    return f"{wanted} ({n})"
