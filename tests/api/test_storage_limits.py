"""No room left for an upload: a real 507 from a data folder on a small tmpfs, in-process.

Moved from tests/integration/test_storage_limits.py: the upload path is the api-server's
alone, so the in-process app (settings are read per request, here from this test's
environment) shows it without a stack. The object-storage artifact store, which packaging
must read too, is tested on a real stack in tests/integration/test_production_stack.py.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import chunked_upload, upload

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


@pytest.fixture
def on_small_disk(small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder is the tmpfs for this test (the app reads its settings per request)."""
    monkeypatch.setenv("AIRFLOW__WALLAROO__DATA_FOLDER", str(small_disk))
    monkeypatch.setenv("AIRFLOW__WALLAROO__MIN_FREE_BYTES", str(1024 * 1024))
    return small_disk


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("disk")}).json()["workspace_id"]


def leftovers(folder: Path) -> list[Path]:
    return list((folder / "incoming").glob("*")) if (folder / "incoming").exists() else []


class TestNoRoomLeft:
    def test_declared_upload_bigger_than_the_free_space_is_507(
        self, on_small_disk: Path, admin: httpx.Client, workspace: int
    ) -> None:
        archive = zip_files({"main.py": "x = 1\n"}) + os.urandom(TMPFS_BYTES)
        assert_error(upload(admin, archive, workspace), 507, "no storage left")
        assert leftovers(on_small_disk) == []

    def test_disk_filling_up_mid_upload_is_507_and_leaves_nothing(
        self, on_small_disk: Path, admin: httpx.Client, workspace: int
    ) -> None:
        # Chunked, so no length is declared up front: the write itself hits ENOSPC.
        answer = chunked_upload(admin, workspace, megabytes=60)
        assert_error(answer, 507, "no storage left")
        assert leftovers(on_small_disk) == []
