"""Refresh tokens are Airflow-signed for their own audience: never an access token, and an
access token (or a token signed elsewhere) is never a refresh token."""

from __future__ import annotations

import jwt
import pytest

from airflow_wallaroo.exceptions import InvalidRequestError, NotAuthenticatedError
from airflow_wallaroo.services import sdk_tokens


@pytest.fixture(autouse=True)
def jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Airflow's signing key, long enough for HS512 (a short one warns, and warnings fail)."""
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "unit-test-secret-" * 5)


def test_the_refresh_token_carries_the_user_for_its_own_audience() -> None:
    token = sdk_tokens.refresh_token_for({"sub": "alice", "role": "ADMIN", "teams": None})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == sdk_tokens.REFRESH_AUDIENCE and claims["typ"] == "Refresh"
    assert (claims["sub"], claims["role"]) == ("alice", "ADMIN")
    assert claims["exp"] - claims["iat"] == sdk_tokens.REFRESH_VALID_SECONDS


def test_airflow_refuses_it_as_an_access_token() -> None:
    from airflow.api_fastapi.auth.tokens import JWTValidator, get_sig_validation_args
    from airflow.configuration import conf

    token = sdk_tokens.refresh_token_for({"sub": "alice", "role": "ADMIN"})
    validator = JWTValidator(
        **get_sig_validation_args(), audience=conf.get("api_auth", "jwt_audience", fallback="apache-airflow")
    )
    with pytest.raises(jwt.InvalidAudienceError):
        validator.validated_claims(token)


def test_an_access_token_is_refused_as_a_refresh_token() -> None:
    from airflow.api_fastapi.auth.tokens import JWTGenerator, get_signing_args

    access = JWTGenerator(**get_signing_args(), valid_for=60, audience="apache-airflow").generate(
        {"sub": "alice"}
    )
    with pytest.raises(NotAuthenticatedError, match="refresh_token"):
        sdk_tokens.refresh_grant(access)


@pytest.mark.parametrize("token", [None, ""], ids=["missing", "empty"])
def test_a_missing_refresh_token_is_400(token: str | None) -> None:
    with pytest.raises(InvalidRequestError, match="refresh_token: required"):
        sdk_tokens.refresh_grant(token)


@pytest.mark.parametrize(("username", "password"), [(None, "x"), ("alice", None), ("", "")])
def test_password_grant_needs_both(username: str | None, password: str | None) -> None:
    with pytest.raises(InvalidRequestError, match="username and password"):
        sdk_tokens.password_grant(username, password)
