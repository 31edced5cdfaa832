"""Airflow's auth manager: who a request's token names, and which users it knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import jwt
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


class InvalidCredentials(Exception):
    """Raised when the auth manager refuses a user name and password."""


class NoPasswordLogin(Exception):
    """Raised when the configured auth manager logs users in only through its own pages."""


class UserGone(Exception):
    """Raised when a token's user no longer exists or is no longer active."""


#: What Airflow's auth managers are asked to allow.
Method = Literal["GET", "POST", "PUT", "DELETE"]

#: Claims of a JWT that are about the token, not about its user.
REGISTERED_CLAIMS = frozenset({"jti", "iss", "aud", "nbf", "exp", "iat", "typ"})


def access_token_lifetime() -> int:
    """``[api_auth] jwt_expiration_time``: how long an Airflow access token is good for."""
    from airflow.configuration import conf

    return conf.getint("api_auth", "jwt_expiration_time")


def password_login(username: str, password: str) -> tuple[str, dict[str, Any]]:
    """Airflow's own login for the configured auth manager: (access token, the user's claims).

    The Simple auth manager checks its passwords file as ``POST /auth/token`` does; another
    auth manager (FAB) through its ``create_token``.
    """
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
    from fastapi import HTTPException

    manager = get_auth_manager()
    lifetime = access_token_lifetime()
    if isinstance(manager, SimpleAuthManager):
        from airflow.api_fastapi.auth.managers.simple.datamodels.login import LoginBody
        from airflow.api_fastapi.auth.managers.simple.services.login import SimpleAuthManagerLogin

        try:
            token = SimpleAuthManagerLogin.create_token(
                body=LoginBody(username=username, password=password), expiration_time_in_seconds=lifetime
            )
        except HTTPException as exc:
            raise InvalidCredentials(str(exc.detail)) from None
        # Just issued by Airflow, so its claims are the user's serialized form.
        claims = jwt.decode(token, options={"verify_signature": False})
        return token, {k: v for k, v in claims.items() if k not in REGISTERED_CLAIMS}
    create = getattr(manager, "create_token", None)
    if create is None:
        raise NoPasswordLogin(type(manager).__name__)
    try:
        user = create(headers={}, body={"username": username, "password": password})
    except ValueError as exc:
        raise InvalidCredentials(str(exc)) from None
    if not user:
        raise InvalidCredentials("invalid user credentials")
    return manager.generate_jwt(user, expiration_time_in_seconds=lifetime), manager.serialize_user(user)


def user_from_claims(claims: dict[str, Any]) -> BaseUser:
    """The user a token's claims name, as the auth manager knows them now; ``UserGone`` if not.

    Simple auth manager users live in the config: the user must still be listed (with
    today's role). FAB users must still exist and be active.
    """
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    manager = get_auth_manager()
    user_claims = {k: v for k, v in claims.items() if k not in REGISTERED_CLAIMS}
    if isinstance(manager, SimpleAuthManager):
        from airflow.configuration import conf

        configured = {u.username: u for u in SimpleAuthManager.get_users()}
        if user_claims.get("sub") in configured:
            current = configured[user_claims["sub"]]
            user_claims = {**user_claims, "role": current.role, "teams": current.teams}
        elif not conf.getboolean("core", "simple_auth_manager_all_admins"):  # its "Anonymous" admin
            raise UserGone(f"user {user_claims.get('sub')!r} no longer exists")
    try:
        user = manager.deserialize_user(user_claims)
    except (KeyError, ValueError) as exc:
        raise UserGone(str(exc)) from None
    if user is None or getattr(user, "is_active", True) is False:
        raise UserGone("the user is not active")
    refreshed: BaseUser = manager.refresh_user(user=user) or user
    return refreshed


def issue_access_token(user: BaseUser) -> str:
    """An Airflow access token for ``user``, as the auth manager signs them."""
    return str(get_auth_manager().generate_jwt(user, expiration_time_in_seconds=access_token_lifetime()))


def serialize_user(user: BaseUser) -> dict[str, Any]:
    return dict(get_auth_manager().serialize_user(user))


def is_authorized_dag(user: BaseUser, method: Method, access_entity: str | None = None) -> bool:
    """Whether the auth manager lets ``user`` do ``method`` on DAGs (or on one of their entities).

    The same question Airflow's own API asks (``requires_access_dag``): the Simple auth
    manager answers by role, FAB by its permissions.
    """
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity

    entity = DagAccessEntity[access_entity] if access_entity else None
    return bool(get_auth_manager().is_authorized_dag(method=method, user=user, access_entity=entity))


def still_exists(user: BaseUser) -> bool:
    """Whether the auth manager still has this (token-bearing) user, and active.

    Simple auth manager users live in ``[core] simple_auth_manager_users``: one removed
    from it no longer exists. FAB users must exist and be active.
    """
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    manager = get_auth_manager()
    if isinstance(manager, SimpleAuthManager):
        from airflow.configuration import conf

        if conf.getboolean("core", "simple_auth_manager_all_admins"):
            return True
        return user.get_name() in {u.username for u in SimpleAuthManager.get_users()}
    security_manager = getattr(manager, "security_manager", None)
    if security_manager is not None:
        current = security_manager.get_user_by_id(int(user.get_id()))
        return current is not None and bool(getattr(current, "is_active", True))
    return bool(getattr(user, "is_active", True))
