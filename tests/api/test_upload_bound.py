"""``[wallaroo] max_concurrent_uploads``: uploads past the bound get 429 with Retry-After (in-process)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from airflow_wallaroo.api.upload_slots import RETRY_AFTER_SECONDS, UploadSlots, upload_slots
from airflow_wallaroo.exceptions import TooManyRequestsError
from tests.api.conftest import client_for
from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload

ARCHIVE = zip_files({"main.py": "print('hi')\n", "requirements.txt": ""})
BOUNDARY = "bound-test"


def new_workspace(client: httpx.Client) -> int:
    answer = client.post("/workspaces/create", json={"workspace_name": unique("bound")})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["workspace_id"])


def held_body(workspace_id: int, release: threading.Event) -> Iterator[bytes]:
    """A multipart body that stops after its first bytes until ``release`` is set."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
        f"{json.dumps({'workspace_id': workspace_id})}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="held.zip"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    release.wait(timeout=60)
    yield ARCHIVE
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def bound_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__MAX_CONCURRENT_UPLOADS", "1")


class TestUploadSlots:
    def test_past_the_limit_is_refused_and_a_released_slot_is_free_again(self) -> None:
        slots = UploadSlots()
        with slots.hold(2), slots.hold(2):
            with pytest.raises(TooManyRequestsError) as refused, slots.hold(2):
                pass  # pragma: no cover
            assert refused.value.retry_after == RETRY_AFTER_SECONDS
            assert slots.in_flight == 2
        assert slots.in_flight == 0
        with slots.hold(1):
            assert slots.in_flight == 1

    def test_a_failing_upload_gives_its_slot_back(self) -> None:
        slots = UploadSlots()
        with pytest.raises(ValueError), slots.hold(1):
            raise ValueError("the upload failed")
        assert slots.in_flight == 0

    def test_zero_means_no_bound(self) -> None:
        slots = UploadSlots()
        with slots.hold(0), slots.hold(0), slots.hold(0):
            assert slots.in_flight == 3


@pytest.mark.usefixtures("bound_of_one")
class TestUploadRoute:
    def test_an_upload_past_the_bound_is_429_with_retry_after_and_the_first_one_completes(
        self, v1_app: FastAPI, admin: TestClient
    ) -> None:
        workspace_id = new_workspace(admin)
        release = threading.Event()
        answers: list[httpx.Response] = []

        def slow_upload() -> None:
            with client_for(v1_app, "admin") as client:
                answers.append(
                    client.post(
                        "/orchestration/upload",
                        content=held_body(workspace_id, release),
                        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
                    )
                )

        first = threading.Thread(target=slow_upload)
        first.start()
        try:
            for _ in range(600):
                if upload_slots.in_flight == 1:
                    break
                release.wait(0.05)
            assert upload_slots.in_flight == 1, "the first upload never started"
            refused = upload(admin, ARCHIVE, workspace_id)
            assert_error(refused, 429, "max_concurrent_uploads")
            assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        finally:
            release.set()
            first.join(timeout=60)
        assert answers[0].status_code == 202, answers[0].text
        assert upload_slots.in_flight == 0
        # The slot is free again: the next upload goes through.
        assert upload(admin, ARCHIVE, workspace_id).status_code == 202

    def test_an_unauthenticated_upload_is_401_not_429(self, anonymous: TestClient) -> None:
        with upload_slots.hold(1):
            assert_error(upload(anonymous, ARCHIVE, 1), 401)
