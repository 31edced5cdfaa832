"""Tokens signed with Airflow's own JWT keys (``[api_auth] jwt_secret`` or its private key)."""

from __future__ import annotations

from typing import Any

from airflow.api_fastapi.auth.tokens import (
    JWTGenerator,
    JWTValidator,
    get_sig_validation_args,
    get_signing_args,
)


def mint_token(*, audience: str, valid_seconds: int, claims: dict[str, Any]) -> str:
    """A token any Airflow component could have signed, for ``audience`` only."""
    generator = JWTGenerator(**get_signing_args(), valid_for=valid_seconds, audience=audience)
    return str(generator.generate(extras=claims))


async def validated_claims(token: str, *, audience: str) -> dict[str, Any]:
    """The token's claims once its signature, expiry and audience are checked (PyJWT errors otherwise)."""
    validator = JWTValidator(**get_sig_validation_args(), audience=audience)
    return dict(await validator.avalidated_claims(token))


def validated_claims_now(token: str, *, audience: str) -> dict[str, Any]:
    """:func:`validated_claims`, for code that is not async."""
    validator = JWTValidator(**get_sig_validation_args(), audience=audience)
    return dict(validator.validated_claims(token))
