"""``/v1/api/orchestration/*`` against a real Airflow: the documented upload on the wire, and packaging.

Validation, listing, download, delete and workspace isolation need no scheduler: they are
in tests/api/test_orchestrations.py (in-process, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import uuid

import httpx
import pytest
import requests

from tests.support.archives import zip_files
from tests.support.helpers import unique
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack

HELLO = {"main.py": "import json\nprint('hello from a test orchestration')\n"}
ORCHESTRATION_FIELDS = {
    "id",
    "sha",
    "name",
    "file_name",
    "file_size",
    "image_path",
    "task_id",
    "owner_id",
    "workspace_id",
    "status",
    "created_at",
    "updated_at",
}


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    answer = admin.post("/workspaces/create", json={"workspace_name": unique("orch")})
    assert answer.status_code == 200
    return answer.json()["workspace_id"]


def unique_hello() -> bytes:
    """A hello archive with bytes of its own, so its sha is new to the stack."""
    return zip_files(HELLO | {"nonce.txt": uuid.uuid4().hex})


class TestUpload:
    def test_the_seed_request_example_gives_202(self, stack: AirflowStack, workspace: int) -> None:
        # Exactly what Wallaroo's documented Python example sends: metadata as an
        # application/json file part, the ZIP as application/octet-stream.
        archive = unique_hello()
        files = {
            "file": ("my_orchestration.zip", archive, "application/octet-stream"),
            "metadata": (None, json.dumps({"workspace_id": workspace, "name": "seed"}), "application/json"),
        }
        answer = requests.post(
            f"{stack.base_url}/v1/api/orchestration/upload",
            files=files,
            headers={"Authorization": f"Bearer {stack.token('admin')}"},
            timeout=60,
        )
        assert answer.status_code == 202, answer.text
        orchestration_id = answer.json()["id"]
        assert str(uuid.UUID(orchestration_id)) == orchestration_id
        with stack.client("admin") as admin:
            body = admin.post("/orchestration/get_by_id", json={"id": orchestration_id}).json()
        assert set(body) >= ORCHESTRATION_FIELDS
        assert body["name"] == "seed"
        assert body["file_name"] == "my_orchestration.zip"
        assert body["sha"] == hashlib.sha256(archive).hexdigest()
        assert body["file_size"] == len(archive)
        assert body["workspace_id"] == workspace and body["owner_id"] == "admin"
        assert body["image_path"] == "local"
        assert body["created_at"].endswith("+00:00")


class TestPackaging:
    def test_no_requirements_becomes_ready(self, admin: httpx.Client, workspace: int) -> None:
        orchestration_id = upload_ok(admin, unique_hello(), workspace)
        first = admin.post("/orchestration/get_by_id", json={"id": orchestration_id}).json()
        assert first["status"] in {"pending_packaging", "packaging", "ready"}
        ready = wait_for_status(admin, orchestration_id, {"ready", "error"}, timeout=120)
        assert ready["status"] == "ready", ready

    def test_task_id_is_the_packaging_dag_run(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int
    ) -> None:
        orchestration_id = upload_ok(admin, unique_hello(), workspace)
        ready = wait_for_status(admin, orchestration_id, {"ready", "error"}, timeout=120)
        with stack.airflow_api() as airflow:
            run = airflow.get(f"/dags/wallaroo_packaging/dagRuns/{ready['task_id']}").json()
        assert run["state"] == "success"
        assert run["conf"]["orchestration_id"] == orchestration_id

    def test_broken_requirements_end_in_error_with_readable_logs(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int
    ) -> None:
        archive = zip_files(
            HELLO | {"requirements.txt": f"wallaroo-no-such-package-{uuid.uuid4().hex[:6]}==1.0\n"}
        )
        orchestration_id = upload_ok(admin, archive, workspace)
        failed = wait_for_status(admin, orchestration_id, {"ready", "error"}, timeout=300)
        assert failed["status"] == "error"
        assert "wallaroo-no-such-package" in failed["msg"]
        with stack.airflow_api() as airflow:
            log = airflow.get(
                f"/dags/wallaroo_packaging/dagRuns/{failed['task_id']}/taskInstances/build_environment/logs/1",
                headers={"Accept": "application/json"},
            )
        assert log.status_code == 200, log.text
        events = " ".join(str(line.get("event", "")) for line in log.json()["content"])
        assert "wallaroo-no-such-package" in events

    def test_same_bytes_share_one_environment(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int
    ) -> None:
        archive = unique_hello()
        sha = hashlib.sha256(archive).hexdigest()
        first = upload_ok(admin, archive, workspace)
        wait_for_status(admin, first, {"ready"}, timeout=120)
        second = upload_ok(admin, archive, workspace)
        wait_for_status(admin, second, {"ready"}, timeout=120)
        builds = (stack.data_folder / "envs" / "builds.log").read_text().splitlines()
        assert sum(1 for line in builds if line.startswith(sha + " ")) == 1
