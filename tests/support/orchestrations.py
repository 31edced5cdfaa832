"""Helpers to upload orchestrations and wait for their packaging, without fixed sleeps."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import httpx


def upload(
    client: httpx.Client,
    archive: bytes,
    workspace_id: int,
    name: str | None = None,
    file_name: str = "orchestration.zip",
) -> httpx.Response:
    """Upload with metadata as a plain form field (the other accepted form)."""
    metadata = {"workspace_id": workspace_id} | ({"name": name} if name else {})
    return client.post(
        "/orchestration/upload",
        files={"file": (file_name, archive, "application/octet-stream")},
        data={"metadata": json.dumps(metadata)},
    )


def upload_ok(client: httpx.Client, archive: bytes, workspace_id: int, name: str | None = None) -> str:
    answer = upload(client, archive, workspace_id, name)
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def wait_for_status(
    client: httpx.Client, orchestration_id: str, wanted: set[str], timeout: float = 300
) -> dict:
    """Poll ``get_by_id`` until the status is one of ``wanted``; fail on timeout."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        answer = client.post("/orchestration/get_by_id", json={"id": orchestration_id})
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        if seen["status"] in wanted:
            return seen
        time.sleep(0.5)
    raise AssertionError(f"orchestration {orchestration_id} never reached {wanted}; last seen {seen}")


def chunked_upload(client: httpx.Client, workspace_id: int, megabytes: int) -> httpx.Response:
    """Upload ``megabytes`` of random bytes as a chunked body: no Content-Length is declared."""
    boundary = "wallaroo-test-boundary"
    metadata = json.dumps({"workspace_id": workspace_id})

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{metadata}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        chunk = os.urandom(1024 * 1024)
        for _ in range(megabytes):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    return client.post(
        "/orchestration/upload",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
