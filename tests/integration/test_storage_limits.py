"""Storage edge cases on a stack of their own: an object-storage artifact store (``file://``
through Airflow's ObjectStoragePath) and a data folder on a small tmpfs, for a real 507.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import chunked_upload, upload, upload_ok, wait_for_status
from tests.support.stack import AirflowStack

TMPFS_BYTES = 48 * 1024 * 1024


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 48 MiB tmpfs: a real file system that really fills up."""
    mount_point = tmp_path_factory.mktemp("small-disk")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture(scope="module")
def storage_stack(small_disk: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    objects = tmp_path_factory.mktemp("object-store")
    stack = AirflowStack(
        home=tmp_path_factory.mktemp("airflow-storage"),
        backend="sqlite",
        extra_env={
            "AIRFLOW__WALLAROO__DATA_FOLDER": str(small_disk),
            "AIRFLOW__WALLAROO__ARTIFACT_STORE": f"file://{objects}",
            "AIRFLOW__WALLAROO__MIN_FREE_BYTES": str(1024 * 1024),
        },
    )
    stack.objects = objects  # type: ignore[attr-defined]
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def client(storage_stack: AirflowStack) -> Iterator[httpx.Client]:
    with storage_stack.client("admin") as client:
        yield client


@pytest.fixture
def workspace(client: httpx.Client) -> int:
    return client.post("/workspaces/create", json={"workspace_name": unique("disk")}).json()["workspace_id"]


def leftovers(folder: Path) -> list[Path]:
    return [p for p in (folder / "incoming").glob("*")] if (folder / "incoming").exists() else []


class TestObjectStorageArtifactStore:
    def test_upload_package_and_download_through_object_storage(
        self, storage_stack: AirflowStack, client: httpx.Client, workspace: int
    ) -> None:
        archive = zip_files({"main.py": "print('object storage')\n", "nonce": uuid.uuid4().hex})
        sha = hashlib.sha256(archive).hexdigest()
        orchestration_id = upload_ok(client, archive, workspace)
        assert (storage_stack.objects / "archives" / f"{sha}.zip").read_bytes() == archive  # type: ignore[attr-defined]
        assert wait_for_status(client, orchestration_id, {"ready", "error"}, timeout=120)["status"] == "ready"
        downloaded = client.get("/orchestration/download", params={"id": orchestration_id})
        assert downloaded.status_code == 200 and downloaded.content == archive


class TestNoRoomLeft:
    def test_declared_upload_bigger_than_the_free_space_is_507(
        self, small_disk: Path, client: httpx.Client, workspace: int
    ) -> None:
        archive = zip_files({"main.py": "x = 1\n"}) + os.urandom(TMPFS_BYTES)
        assert_error(upload(client, archive, workspace), 507, "no storage left")
        assert leftovers(small_disk) == []

    def test_disk_filling_up_mid_upload_is_507_and_leaves_nothing(
        self, small_disk: Path, client: httpx.Client, workspace: int
    ) -> None:
        # Chunked, so no length is declared up front: the write itself hits ENOSPC.
        answer = chunked_upload(client, workspace, megabytes=60)
        assert_error(answer, 507, "no storage left")
        assert leftovers(small_disk) == []
