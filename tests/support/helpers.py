"""Assertions shared by the integration tests."""

from __future__ import annotations

import uuid

import httpx


def assert_error(response: httpx.Response, status: int, *mentions: str) -> dict:
    """Assert the contract's error body: exactly ``msg`` and ``code``, naming what was wrong."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"msg", "code"}, body
    assert body["code"] == status
    assert "Traceback" not in body["msg"]
    for mention in mentions:
        assert mention in body["msg"], (mention, body["msg"])
    return body


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
