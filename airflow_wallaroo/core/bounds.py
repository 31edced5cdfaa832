"""The bounds of what a request may carry: one place, so the models, the docs and the tests agree.

Every number a request sends ends up in a database column, an Airflow ``timedelta`` or a
Kubernetes field; every string in a query or a file name. Bounding them at the door turns
what would be an overflow deep inside (a 500, or a task whose spec cannot load) into a 400
that names the field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictBool

#: Integers are bounded to JSON's safe range (RFC 7493, I-JSON: ±(2^53 - 1)), well inside
#: int64: every client's JSON parser reads them exactly, and no column or timedelta overflows.
INT_MIN = -(2**53 - 1)
INT_MAX = 2**53 - 1
#: The longest ``timeout`` a task may have: one year, in seconds.
MAX_TIMEOUT_SECONDS = 365 * 24 * 3600
#: Names (workspaces, orchestrations, tasks) and user ids: the columns hold 250 characters.
MAX_NAME_CHARS = 250
#: An e-mail address (RFC 5321's path limit).
MAX_EMAIL_CHARS = 320
#: Ids and shas sent back to us (uuids, sha256 hex, run ids): generous, still bounded.
MAX_ID_CHARS = 250
#: A task's ``json`` arguments, as compact JSON.
MAX_JSON_BYTES = 1024 * 1024
#: A task's ``extra_env_vars`` and ``bind_secrets``: how many, and how long a value.
MAX_ENV_VARS = 256
MAX_ENV_VALUE_CHARS = 32 * 1024
MAX_SECRETS = 64
#: How many items a list filter (``workspace_ids``, ``task_run_status``) may hold.
MAX_FILTER_ITEMS = 1000
#: Items one page of a list may hold at most, whatever ``[wallaroo] list_page_max`` says.
MAX_PAGE_ITEMS = 1000
#: Datetimes must fall in these years: wide enough for any real filter, far from overflow.
MIN_YEAR = 1900
MAX_YEAR = 9998


def _json_integer(value: Any) -> Any:
    """JSON's integers only: pydantic would also take ``"12"`` and ``true``."""
    if isinstance(value, bool | str):
        raise ValueError("must be an integer")
    return value


def _json_string(value: Any) -> Any:
    """A time as RFC 3339 text: pydantic would also take a number of seconds."""
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 date-time string with a time zone")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"): no database or file takes it
        raise ValueError("must be valid Unicode text (a lone surrogate is not)") from None
    return value


def _in_range(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:  # as written: what the documented pattern says
        raise ValueError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value.astimezone(UTC)  # cannot overflow: a year away from both ends


def _json_size(value: dict[str, Any]) -> dict[str, Any]:
    try:
        size = len(json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode())
    except (ValueError, RecursionError):  # UnicodeEncodeError (a lone surrogate) is a ValueError
        raise ValueError(
            "must be plain JSON (no NaN or Infinity, no lone surrogate, not nested too deeply)"
        ) from None
    if size > MAX_JSON_BYTES:
        raise ValueError(f"is {size} bytes as JSON, over the limit of {MAX_JSON_BYTES}")
    return value


#: A JSON integer taken literally (no ``"12"``, no ``true``), for bounds of a model's own.
JsonInteger = BeforeValidator(_json_integer)
#: An id or any other integer: int64, bounded to JSON's safe integers.
Int64 = Annotated[int, Field(ge=INT_MIN, le=INT_MAX), BeforeValidator(_json_integer)]
#: A number of things (limits, lines): not negative. (Field before the validator: after it,
#: pydantic would write the bounds into the JSON schema as ``ge``/``le`` instead of min/max.)
Count = Annotated[int, Field(ge=0, le=INT_MAX), BeforeValidator(_json_integer)]


#: A number of things that must be at least one (``limit``, ``lines``).
PositiveCount = Annotated[int, Field(ge=1, le=INT_MAX), BeforeValidator(_json_integer)]
#: How many of a task's newest runs to show.
RunLimit = Annotated[int, Field(ge=0, le=100), BeforeValidator(_json_integer)]
#: Seconds a task may run.
TimeoutSeconds = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_SECONDS), BeforeValidator(_json_integer)]
#: JSON's true or false, nothing else ("yes", 1).
Flag = StrictBool
#: Text without NUL (PostgreSQL refuses it, so do environment variables and file names).
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})]
Name = Annotated[Text, Field(max_length=MAX_NAME_CHARS)]
Email = Annotated[Text, Field(max_length=MAX_EMAIL_CHARS)]
Id = Annotated[Text, Field(max_length=MAX_ID_CHARS)]
#: Years MIN_YEAR..MAX_YEAR as the OpenAPI document says them.
YEAR_PATTERN = "^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
#: A point in time with its zone (RFC 3339), in years MIN_YEAR..MAX_YEAR; normalised to UTC.
Instant = Annotated[
    AwareDatetime,
    Field(json_schema_extra={"pattern": YEAR_PATTERN}),
    BeforeValidator(_json_string),
    AfterValidator(_in_range),
]
#: A task's arguments.
JsonArguments = Annotated[dict[str, Any], AfterValidator(_json_size)]

#: A page's ``limit``: at least one item, at most ``MAX_PAGE_ITEMS``.
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE_ITEMS), BeforeValidator(_json_integer)]
