"""Request dependencies, as ``Annotated`` aliases: the session and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.common.db.common import SessionDep
from airflow.api_fastapi.core_api.security import bearer_scheme, get_user, oauth2_scheme
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from airflow_wallaroo.exceptions import NotAuthenticatedError
from airflow_wallaroo.services.archive_tokens import is_archive_token, verify_archive_token
from airflow_wallaroo.services.callers import Caller, ensure_user
from airflow_wallaroo.settings import load_settings

__all__ = ["CallerDep", "SessionDep", "current_caller"]


async def authenticated_user(
    request: Request,
    oauth_token: Annotated[str | None, Depends(oauth2_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> BaseUser:
    """Resolve the bearer token (or the UI's cookie) through Airflow's auth manager.

    Airflow answers 403 for a token it cannot decode; the contract says 401 for a
    missing or bad token, so every failure here is a 401.
    """
    try:
        return await get_user(request, oauth_token, bearer)
    except HTTPException as exc:
        raise NotAuthenticatedError(f"not authenticated: {exc.detail}; get a token from POST /auth/token") from None


def current_caller(session: SessionDep, user: Annotated[BaseUser, Depends(authenticated_user)]) -> Caller:
    """Return the caller, recording them (and their default workspace) on their first call."""
    caller = Caller(user_id=str(user.get_id()), username=user.get_name(), email=getattr(user, "email", None))
    ensure_user(session, caller, load_settings().default_workspace_name)
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


async def archive_reader(
    request: Request,
    session: SessionDep,
    oauth_token: Annotated[str | None, Depends(oauth2_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller | None:
    """A user, or (None) a task-run pod whose archive token names the requested orchestration."""
    token = bearer.credentials if bearer is not None else None
    if token is not None and is_archive_token(token):
        await verify_archive_token(token, request.query_params.get("id", ""))
        return None
    user = await authenticated_user(request, oauth_token, bearer)
    return current_caller(session, user)


ArchiveReaderDep = Annotated[Caller | None, Depends(archive_reader)]
