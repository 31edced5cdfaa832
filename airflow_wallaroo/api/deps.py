"""Request dependencies, as ``Annotated`` aliases: the session and the authenticated caller."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.exc import IntegrityError

from airflow_wallaroo.airflow_compat.auth import (
    BaseUser,
    bearer_scheme,
    get_user,
    oauth2_scheme,
    still_exists,
)
from airflow_wallaroo.airflow_compat.db import SessionDep, new_session
from airflow_wallaroo.api.authz import Action, check
from airflow_wallaroo.archive_tokens import is_archive_token, verify_archive_token
from airflow_wallaroo.exceptions import NotAuthenticatedError
from airflow_wallaroo.services.callers import Caller, record_user
from airflow_wallaroo.settings import WallarooSettings, load_settings

__all__ = ["CallerDep", "SessionDep", "SettingsDep", "current_caller"]


def current_settings() -> WallarooSettings:
    """The ``[wallaroo]`` section, read once per request."""
    return load_settings()


SettingsDep = Annotated[WallarooSettings, Depends(current_settings)]


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
        user = await get_user(request, oauth_token, bearer)
    except HTTPException as exc:
        raise NotAuthenticatedError(
            f"not authenticated: {exc.detail}; get a token from POST /auth/token"
        ) from None
    if not _existing_users.holds(user):
        name = user.get_name()
        raise NotAuthenticatedError(f"not authenticated: user {name!r} no longer exists or is inactive")
    return user


class _UserCheck:
    """Whether a token's user still exists, asked of the auth manager at most once a minute."""

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self.ttl = ttl_seconds
        self.answers: dict[str, tuple[float, bool]] = {}
        self.lock = threading.Lock()

    def holds(self, user: BaseUser) -> bool:
        key = f"{type(user).__name__}:{user.get_id()}"
        now = time.monotonic()
        with self.lock:
            cached = self.answers.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = still_exists(user)
        with self.lock:
            self.answers[key] = (now + self.ttl, answer)
        return answer


_existing_users = _UserCheck()


def current_caller(settings: SettingsDep, user: Annotated[BaseUser, Depends(authenticated_user)]) -> Caller:
    """Return the caller, recording them (and their default workspace) on their first call.

    In a short session of its own, committed at once: a later error in the request does
    not take the new user's workspace back, and no connection is held while the request
    goes on (an upload's body may take minutes to arrive).
    """
    caller = Caller(user_id=str(user.get_id()), username=user.get_name(), email=getattr(user, "email", None))
    for attempt in (1, 2):
        try:
            with new_session() as session:
                record_user(session, caller, settings.default_workspace_name)
            break
        except IntegrityError:
            if attempt == 2:  # pragma: no cover - two lost races in a row
                raise
            # Another first call of the same user got there first: the second try finds its rows.
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


async def archive_reader(
    request: Request,
    settings: SettingsDep,
    oauth_token: Annotated[str | None, Depends(oauth2_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller | None:
    """A user, or (None) a task-run pod whose archive token names the requested orchestration."""
    token = bearer.credentials if bearer is not None else None
    if token is not None and is_archive_token(token):
        await verify_archive_token(token, request.query_params.get("id", ""))
        return None
    user = await authenticated_user(request, oauth_token, bearer)
    check(user, Action.READ)
    return current_caller(settings, user)


ArchiveReaderDep = Annotated[Caller | None, Depends(archive_reader)]


def requires(action: Action) -> Callable[[BaseUser], None]:
    """A route dependency: 403 unless the caller's Airflow role allows ``action``."""

    def allowed(user: Annotated[BaseUser, Depends(authenticated_user)]) -> None:
        check(user, action)

    return allowed


#: Route dependencies, one per kind of action (``dependencies=[READ]``).
READ = Depends(requires(Action.READ))
READ_LOGS = Depends(requires(Action.READ_LOGS))
RUN = Depends(requires(Action.RUN))
EDIT = Depends(requires(Action.EDIT))
STOP = Depends(requires(Action.STOP))
DELETE = Depends(requires(Action.DELETE))
