"""Tokens for the Wallaroo SDK's ``user_password`` login: Airflow's own, plus a refresh token.

The SDK logs in with the OAuth2 password grant and refreshes with the refresh-token grant
(against what it takes for Keycloak). The password is checked by Airflow's auth manager,
exactly as Airflow's ``POST /auth/token`` does it; the access token is the one Airflow
issues, good for ``[api_auth] jwt_expiration_time``. Airflow has no refresh tokens, so
ours is a JWT signed with Airflow's keys for another audience (it is never accepted as an
access token) that carries the user's serialized claims; a refresh checks that the user
still exists and is active through the auth manager before issuing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from airflow_wallaroo.airflow_compat import auth, tokens
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
    try:
        access_token, claims = auth.password_login(username, password)
    except auth.InvalidCredentials as exc:
        raise NotAuthenticatedError(f"invalid user credentials: {exc}") from None
    except auth.NoPasswordLogin as exc:
        raise InvalidRequestError(
            f"grant_type=password: the configured auth manager ({exc}) has no password login; "
            "use auth_type='token' with a token from it"
        ) from None
    return _token_set(access_token, claims)


def refresh_grant(refresh_token: str | None) -> TokenSet:
    """A new access token (and refresh token) for the user a valid refresh token names."""
    if not refresh_token:
        raise InvalidRequestError("refresh_token: required for grant_type=refresh_token")
    try:
        claims = tokens.validated_claims_now(refresh_token, audience=REFRESH_AUDIENCE)
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticatedError(f"refresh_token: {exc}; log in again with the password") from None
    try:
        user = auth.user_from_claims(claims)
    except auth.UserGone as exc:
        raise NotAuthenticatedError(f"refresh_token: {exc}") from None
    return _token_set(auth.issue_access_token(user), auth.serialize_user(user))


def refresh_token_for(user_claims: dict[str, Any]) -> str:
    """A refresh token carrying the user's claims, for the refresh audience only."""
    claims = {**user_claims, "typ": "Refresh"}
    return tokens.mint_token(audience=REFRESH_AUDIENCE, valid_seconds=REFRESH_VALID_SECONDS, claims=claims)


def _token_set(access_token: str, user_claims: dict[str, Any]) -> TokenSet:
    return TokenSet(
        access_token=access_token,
        expires_in=auth.access_token_lifetime(),
        refresh_token=refresh_token_for(user_claims),
        refresh_expires_in=REFRESH_VALID_SECONDS,
    )
