"""Short-lived tokens that let one pod download one orchestration's archive.

Signed with Airflow's own JWT keys, so every component that can mint Airflow tokens can
mint these, and the api-server can check them; the audience keeps them from being used
as a user's token, or for anything but ``orchestration/download`` of the orchestration
named in them.
"""

from __future__ import annotations

import jwt

from airflow_wallaroo.airflow_compat.tokens import mint_token, validated_claims
from airflow_wallaroo.exceptions import NotAuthenticatedError

AUDIENCE = "airflow-wallaroo:orchestration-archive"


def mint_archive_token(orchestration_id: str, valid_seconds: int) -> str:
    return mint_token(
        audience=AUDIENCE,
        valid_seconds=valid_seconds,
        claims={"sub": orchestration_id, "orch_id": orchestration_id},
    )


def is_archive_token(token: str) -> bool:
    """Tell an archive token from a user's token by its (not yet verified) audience."""
    try:
        audience = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.InvalidTokenError:
        return False
    return audience == AUDIENCE or (isinstance(audience, list) and AUDIENCE in audience)


async def verify_archive_token(token: str, orchestration_id: str) -> None:
    """Accept the token only for this orchestration, before it expires; else 401."""
    try:
        claims = await validated_claims(token, audience=AUDIENCE)
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticatedError(f"archive token: {exc}") from None
    if claims.get("orch_id") != orchestration_id:
        raise NotAuthenticatedError("archive token: issued for another orchestration")
