"""Finding a user by email or id, for adding them to a workspace.

A user is known once they have called the API. Users the auth manager knows but who
never called are found too where the auth manager can list them: the Simple auth
manager's configured users (their email is their username) and FAB's user table.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from airflow_wallaroo.exceptions import InvalidRequestError, NotFoundError
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.store.tables import UserRow


def find_user(session: Session, *, email: str | None, user_id: str | None) -> Caller:
    """Return the user named by ``user_id`` or ``email``; 404 if nobody has that name."""
    if not email and not user_id:
        raise InvalidRequestError("email or user_id: one of them is required")
    if user_id:
        row = session.get(UserRow, user_id)
    else:
        row = session.scalars(
            select(UserRow).where(or_(UserRow.email == email, UserRow.username == email)).limit(1)
        ).first()
    if row is not None:
        return Caller(user_id=row.user_id, username=row.username, email=row.email)
    known = _find_in_auth_manager(email=email, user_id=user_id)
    if known is None:
        field, value = ("user_id", user_id) if user_id else ("email", email)
        raise NotFoundError(f"{field}: no user {value!r} is known to this Airflow")
    session.add(UserRow(user_id=known.user_id, username=known.username, email=known.email))
    session.flush()
    return known


def _find_in_auth_manager(*, email: str | None, user_id: str | None) -> Caller | None:
    from airflow.api_fastapi.app import get_auth_manager

    manager = get_auth_manager()
    wanted = user_id or email
    list_users = getattr(manager, "get_users", None)
    if callable(list_users):  # Simple auth manager: users come from config
        for user in list_users():
            if user.get_id() == wanted or user.get_name() == wanted:
                return Caller(user_id=user.get_id(), username=user.get_name())
        return None
    security_manager = getattr(manager, "security_manager", None)
    if security_manager is not None:  # FAB auth manager
        fab_user = (
            security_manager.get_user_by_id(int(user_id))
            if user_id and user_id.isdigit()
            else security_manager.find_user(email=email)
            if email
            else None
        )
        if fab_user is not None:
            return Caller(user_id=str(fab_user.id), username=fab_user.username, email=fab_user.email)
    return None
