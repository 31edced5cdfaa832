"""Assertions shared by the integration tests."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

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


def folder_run_users_can_write(parent: Path, name: str) -> Path:
    """A folder user code may write to, as a deployment's shared output volume would be.

    User code runs as its workspace's own uid, so pytest's private (0700) temp folders
    are closed to it; this opens ``parent`` for passage and the new folder for writing.
    """
    parent.chmod(parent.stat().st_mode | stat.S_IXOTH)
    folder = parent / name
    folder.mkdir()
    folder.chmod(0o777)
    return folder
