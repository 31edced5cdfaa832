"""Tokens for the Wallaroo SDK's ``user_password`` login: Airflow's own, plus a refresh token.

The SDK logs in with the OAuth2 password grant and refreshes with the refresh-token grant
(against what it takes for Keycloak). The password is checked by Airflow's auth manager,
exactly as Airflow's ``POST /auth/token`` does it; the access token is the one Airflow
issues (``generate_jwt``), good for ``[api_auth] jwt_expiration_time``. Airflow has no
refresh tokens, so ours is a JWT signed with Airflow's keys for another audience (it is
never accepted as an access token) that carries the user's serialized claims; a refresh
checks the user still exists and is active through the auth manager before issuing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from airflow_wallaroo.exceptions import InvalidRequestError, NotAuthenticatedError

REFRESH_AUDIENCE = "airflow-wallaroo:sdk-refresh"
#: Like Keycloak's default "SSO Session Max"; after it the SDK logs in again with the password.
REFRESH_VALID_SECONDS = 10 * 3600


@dataclass(frozen=True)
class TokenSet:
    """What the OAuth2 token endpoint answers."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


def password_grant(username: str | None, password: str | None) -> TokenSet:
    """Check the credentials through Airflow's auth manager and issue its token."""
    if not username or not password:
        raise InvalidRequestError("username and password: both are required for grant_type=password")
    manager = _auth_manager()
    access_token, claims = _log_in(manager, username, password)
    return TokenSet(
        access_token=access_token,
        expires_in=_access_valid_seconds(),
        refresh_token=_refresh_token(claims),
        refresh_expires_in=REFRESH_VALID_SECONDS,
    )


def refresh_grant(refresh_token: str | None) -> TokenSet:
    """A new access token (and refresh token) for the user a valid refresh token names."""
    from airflow.api_fastapi.auth.tokens import JWTValidator, get_sig_validation_args

    if not refresh_token:
        raise InvalidRequestError("refresh_token: required for grant_type=refresh_token")
    validator = JWTValidator(**get_sig_validation_args(), audience=REFRESH_AUDIENCE)
    try:
        claims = validator.validated_claims(refresh_token)
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticatedError(f"refresh_token: {exc}; log in again with the password") from None
    manager = _auth_manager()
    user_claims = {k: v for k, v in claims.items() if k not in _REGISTERED_CLAIMS}
    user = _current_user(manager, user_claims)
    fresh_claims = manager.serialize_user(user)
    return TokenSet(
        access_token=manager.generate_jwt(user, expiration_time_in_seconds=_access_valid_seconds()),
        expires_in=_access_valid_seconds(),
        refresh_token=_refresh_token(fresh_claims),
        refresh_expires_in=REFRESH_VALID_SECONDS,
    )


_REGISTERED_CLAIMS = {"jti", "iss", "aud", "nbf", "exp", "iat", "typ"}


def _auth_manager() -> Any:
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager()


def _access_valid_seconds() -> int:
    from airflow.configuration import conf

    return conf.getint("api_auth", "jwt_expiration_time")


def _log_in(manager: Any, username: str, password: str) -> tuple[str, dict[str, Any]]:
    """Airflow's own login for the configured auth manager: (access token, user claims)."""
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
    from fastapi import HTTPException

    if isinstance(manager, SimpleAuthManager):
        from airflow.api_fastapi.auth.managers.simple.datamodels.login import LoginBody
        from airflow.api_fastapi.auth.managers.simple.services.login import SimpleAuthManagerLogin

        try:
            token = SimpleAuthManagerLogin.create_token(
                body=LoginBody(username=username, password=password),
                expiration_time_in_seconds=_access_valid_seconds(),
            )
        except HTTPException as exc:
            raise NotAuthenticatedError(f"invalid user credentials: {exc.detail}") from None
        # Just issued by Airflow, so its claims are the user's serialized form.
        claims = jwt.decode(token, options={"verify_signature": False})
        return token, {k: v for k, v in claims.items() if k not in _REGISTERED_CLAIMS}
    create = getattr(manager, "create_token", None)
    if create is None:  # an auth manager that logs users in only through its own pages
        raise InvalidRequestError(
            f"grant_type=password: the configured auth manager ({type(manager).__name__}) has no password "
            "login; use auth_type='token' with a token from it"
        )
    try:
        user = create(headers={}, body={"username": username, "password": password})
    except ValueError as exc:
        raise InvalidRequestError(f"grant_type=password: {exc}") from None
    if not user:
        raise NotAuthenticatedError("invalid user credentials")
    return manager.generate_jwt(
        user, expiration_time_in_seconds=_access_valid_seconds()
    ), manager.serialize_user(user)


def _current_user(manager: Any, claims: dict[str, Any]) -> Any:
    """The user as the auth manager knows them now: gone or inactive users get no token."""
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    if isinstance(manager, SimpleAuthManager):
        # Simple users live in the config: the user must still be there, with today's role.
        from airflow.configuration import conf

        configured = {u.username: u for u in SimpleAuthManager.get_users()}
        if claims.get("sub") in configured:
            current = configured[claims["sub"]]
            claims = {**claims, "role": current.role, "teams": current.teams}
        elif not conf.getboolean("core", "simple_auth_manager_all_admins"):  # its "Anonymous" admin
            raise NotAuthenticatedError(f"refresh_token: user {claims.get('sub')!r} no longer exists")
    try:
        user = manager.deserialize_user(claims)
    except (KeyError, ValueError) as exc:
        raise NotAuthenticatedError(f"refresh_token: {exc}") from None
    if user is None or getattr(user, "is_active", True) is False:
        raise NotAuthenticatedError("refresh_token: the user is not active")
    return manager.refresh_user(user=user) or user


def _refresh_token(user_claims: dict[str, Any]) -> str:
    from airflow.api_fastapi.auth.tokens import JWTGenerator, get_signing_args

    generator = JWTGenerator(**get_signing_args(), valid_for=REFRESH_VALID_SECONDS, audience=REFRESH_AUDIENCE)
    return generator.generate(extras={**user_claims, "typ": "Refresh"})
