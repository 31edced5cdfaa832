"""Request and response bodies of the /v1/api, one module per resource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from airflow_wallaroo.core.bounds import Count, PageLimit


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


#: A time as the contract writes it: RFC 3339 with an explicit ``+00:00`` offset.
Timestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]


def _optional_means_nullable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Say in the JSON schema what ``_null_means_default`` does: an optional field takes ``null``."""
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if name in required or _allows_null(prop):
            continue
        keep = {k: prop.pop(k) for k in ("title", "default", "description") if k in prop}
        schema["properties"][name] = {"anyOf": [prop, {"type": "null"}], **keep}


def _allows_null(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "null" or any(p.get("type") == "null" for p in prop.get("anyOf", ()))


class RequestBody(BaseModel):
    """Base of request bodies: a field the model does not declare is a 400 naming it.

    A typo in an optional field (``jsn``) would otherwise be dropped and the request served
    with the default. The fields the Wallaroo SDK sends that this API has no use for are
    declared on their models, marked ``SDK_SENT`` (``tests/compat`` proves the list).

    The Wallaroo SDK's generated client sends every optional field it was not given as
    ``null`` (``"status": null``, ``"debug": null``...): for a field that has a default,
    ``null`` means that default. A required field stays required: ``null`` there is a 400.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_optional_means_nullable)

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        optional = {
            field.alias or name for name, field in cls.model_fields.items() if not field.is_required()
        } | {name for name, field in cls.model_fields.items() if not field.is_required()}
        return {key: value for key, value in data.items() if not (value is None and key in optional)}


def sdk_sent(why: str) -> Any:
    """A field the Wallaroo SDK sends that this API has no use for: declared, so it is not refused."""
    return Field(default=None, description=f"Sent by the Wallaroo SDK; ignored: {why}")


class PagedRequest(RequestBody):
    """A list request's window: ``limit`` items (``null``: ``[wallaroo] list_page_size``,
    at most ``list_page_max``) from ``offset``. The page's facts come back in headers."""

    limit: PageLimit | None = None
    offset: Count | None = None


class ResponseBody(BaseModel):
    """Base of response bodies, built from domain objects."""

    model_config = ConfigDict(from_attributes=True)
