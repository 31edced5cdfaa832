"""Finding a user by email or id, for adding them to a workspace.

A user is known once they have called the API. Users the auth manager knows but who
never called are found too where the auth manager can list them.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from airflow_wallaroo.airflow_compat.auth import find_known_user
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
    known = find_known_user(email=email, user_id=user_id)
    if known is None:
        field, value = ("user_id", user_id) if user_id else ("email", email)
        raise NotFoundError(f"{field}: no user {value!r} is known to this Airflow")
    session.add(UserRow(user_id=known.user_id, username=known.username, email=known.email))
    session.flush()
    return Caller(user_id=known.user_id, username=known.username, email=known.email)
