"""The OAuth2 token endpoint of the Wallaroo SDK's ``user_password`` login.

The SDK builds it from its ``api_endpoint`` as Keycloak's
``{api_endpoint}/auth/realms/master/protocol/openid-connect/token``; ``/auth`` is Airflow's
own (its auth manager's app), so the root middleware in :mod:`airflow_wallaroo.api.auth_alias`
passes those paths to this app's ``/v1/auth/realms/...``. Unauthenticated, like any token
endpoint: the password or the refresh token is the credential.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form

from airflow_wallaroo.api.models import ResponseBody
from airflow_wallaroo.api.openapi import errors
from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.services import sdk_tokens

REALM = "master"
#: One realm, so it is part of the paths: another realm is an unknown path (404, naming this one).
router = APIRouter(prefix=f"/auth/realms/{REALM}/protocol/openid-connect", tags=["sdk-auth"])


class TokenResponse(ResponseBody):
    """RFC 6749's token answer, with the ``refresh_expires_in`` the SDK reads (Keycloak's)."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@router.post("/token", responses=errors(400, 401))
def token(
    grant_type: Annotated[Literal["password", "refresh_token"], Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    """``grant_type=password`` (Airflow checks the user) or ``grant_type=refresh_token``."""
    if grant_type == "password":
        issued = sdk_tokens.password_grant(username, password)
    else:  # the form says it: another grant type is a 400 naming grant_type
        issued = sdk_tokens.refresh_grant(refresh_token)
    return TokenResponse.model_validate(issued)


@router.post("/auth/device", responses=errors(400))
def device_login() -> None:
    """The SDK's ``sso`` login (OAuth2 device grant): refused, with the reason."""
    raise InvalidRequestError(
        "auth_type='sso' is not available: Airflow's auth managers have no device-login (OAuth2 device "
        "authorization) flow; use auth_type='user_password' or auth_type='token' (see the README)"
    )
