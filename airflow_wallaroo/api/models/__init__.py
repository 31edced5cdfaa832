"""Request and response bodies of the /v1/api, one module per resource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


#: A time as the contract writes it: RFC 3339 with an explicit ``+00:00`` offset.
Timestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]


class RequestBody(BaseModel):
    """Base of request bodies: Wallaroo clients send extra fields (``debug``...), accept them.

    The Wallaroo SDK's generated client sends every optional field it was not given as
    ``null`` (``"status": null``, ``"debug": null``...): for a field that has a default,
    ``null`` means that default. A required field stays required: ``null`` there is a 400.
    """

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        optional = {
            field.alias or name for name, field in cls.model_fields.items() if not field.is_required()
        } | {name for name, field in cls.model_fields.items() if not field.is_required()}
        return {key: value for key, value in data.items() if not (value is None and key in optional)}


class PagedRequest(RequestBody):
    """A list request's window: ``limit`` items (``null``: ``[wallaroo] list_page_size``,
    at most ``list_page_max``) from ``offset``. The page's facts come back in headers."""

    limit: int | None = Field(default=None, ge=1)
    offset: int | None = Field(default=None, ge=0)


class ResponseBody(BaseModel):
    """Base of response bodies, built from domain objects."""

    model_config = ConfigDict(from_attributes=True)
