"""How validation errors are turned into one sentence naming the field."""

from __future__ import annotations

import pytest

from airflow_wallaroo.api.errors import describe_validation_errors


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        pytest.param(
            [{"loc": ("body", "workspace_name"), "msg": "Field required", "type": "missing"}],
            "workspace_name: Field required",
            id="missing-field",
        ),
        pytest.param(
            [{"loc": ("body", "a", 0, "b"), "msg": "bad", "type": "x"}],
            "a.0.b: bad",
            id="nested",
        ),
        pytest.param(
            [
                {
                    "loc": ("body", 5),
                    "msg": "JSON decode error",
                    "type": "json_invalid",
                    "ctx": {"error": "Expecting value"},
                }
            ],
            "the body is not valid JSON (Expecting value)",
            id="json",
        ),
        pytest.param(
            [{"loc": ("body",), "msg": "Field required", "type": "missing"}],
            "body: Field required",
            id="no-body",
        ),
        pytest.param([], "invalid request", id="empty"),
    ],
)
def test_describe_validation_errors(errors: list[dict], expected: str) -> None:
    assert describe_validation_errors(errors) == expected
