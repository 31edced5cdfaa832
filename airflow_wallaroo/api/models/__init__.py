"""Request and response bodies of the /v1/api, one module per resource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


#: A time as the contract writes it: RFC 3339 with an explicit ``+00:00`` offset.
Timestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]


class RequestBody(BaseModel):
    """Base of request bodies: Wallaroo clients send extra fields (``debug``...), accept them."""

    model_config = ConfigDict(extra="ignore")


class ResponseBody(BaseModel):
    """Base of response bodies, built from domain objects."""

    model_config = ConfigDict(from_attributes=True)
