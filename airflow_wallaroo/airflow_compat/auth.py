"""Airflow's auth manager: who a request's token names, and which users it knows."""

from __future__ import annotations

from dataclasses import dataclass

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import bearer_scheme, get_user, oauth2_scheme

__all__ = ["BaseUser", "KnownUser", "bearer_scheme", "find_known_user", "get_user", "oauth2_scheme"]


@dataclass(frozen=True)
class KnownUser:
    """A user as the auth manager knows them."""

    user_id: str
    username: str
    email: str | None = None


def find_known_user(*, email: str | None, user_id: str | None) -> KnownUser | None:
    """Look a user up in the auth manager by id or email, where it can list its users.

    The Simple auth manager's users come from config (their email is their name); the
    FAB auth manager has a user table.
    """
    manager = get_auth_manager()
    wanted = user_id or email
    list_users = getattr(manager, "get_users", None)
    if callable(list_users):
        for user in list_users():
            if user.get_id() == wanted or user.get_name() == wanted:
                return KnownUser(user_id=str(user.get_id()), username=user.get_name())
        return None
    security_manager = getattr(manager, "security_manager", None)
    if security_manager is None:
        return None
    if user_id and user_id.isdigit():
        fab_user = security_manager.get_user_by_id(int(user_id))
    elif email:
        fab_user = security_manager.find_user(email=email)
    else:
        fab_user = None
    if fab_user is None:
        return None
    return KnownUser(user_id=str(fab_user.id), username=fab_user.username, email=fab_user.email)
