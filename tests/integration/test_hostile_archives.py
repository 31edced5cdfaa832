"""Hostile and invalid archives: each gets its 4xx naming what was wrong, and nothing is kept."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import chunked_upload, upload
from tests.support.stack import AirflowStack

MAIN = "print('hi')\n"


def _symlink_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", MAIN)
        link = zipfile.ZipInfo("data")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _bomb() -> bytes:
    """200 MiB of zeros: deflates about 1000:1, far over the stack's ratio limit of 100."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main.py", MAIN)
        with archive.open("zeros.bin", "w") as zeros:
            block = bytes(8 * 1024 * 1024)
            for _ in range(25):
                zeros.write(block)
    return buffer.getvalue()


def _too_big_uncompressed() -> bytes:
    """300 MiB that compresses about 15:1 (under the ratio limit) but is over 256 MiB in total."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("main.py", MAIN)
        with archive.open("big.bin", "w", force_zip64=True) as big:
            for _ in range(300):  # 1 MiB at a time, 64 fresh random bytes per KiB
                big.write(b"".join(os.urandom(64) + bytes(960) for _ in range(1024)))
    return buffer.getvalue()


def _truncated() -> bytes:
    archive = zip_files({"main.py": MAIN, "data.txt": "x" * 10_000})
    return archive[: len(archive) // 2]


def _corrupt_entry() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("main.py", MAIN)
        archive.writestr("data.txt", "A" * 1000)
    raw = bytearray(buffer.getvalue())
    raw[raw.index(b"A" * 1000) + 500] ^= 0xFF  # the stored CRC no longer matches
    return bytes(raw)


def _many_entries() -> bytes:
    return zip_files({"main.py": MAIN} | {f"f{i}.txt": "" for i in range(600)})


HOSTILE: list = [
    pytest.param(lambda: zip_files({"main.py": MAIN, "../evil.py": "x"}), "..", id="zip-slip"),
    pytest.param(lambda: zip_files({"main.py": MAIN, "a/../../evil.py": "x"}), "..", id="zip-slip-nested"),
    pytest.param(
        lambda: zip_files({"main.py": MAIN, "/etc/evil.py": "x"}), "/etc/evil.py", id="absolute-path"
    ),
    pytest.param(_symlink_archive, "data", id="symlink"),
    pytest.param(_many_entries, "entries", id="too-many-entries"),
    pytest.param(_bomb, "ratio", id="zip-bomb-ratio"),
    pytest.param(_too_big_uncompressed, "uncompressed", id="uncompressed-total"),
    pytest.param(_truncated, "ZIP", id="truncated"),
    pytest.param(_corrupt_entry, "data.txt", id="corrupt-entry"),
    pytest.param(lambda: b"this is not a zip file at all", "ZIP", id="not-a-zip"),
    pytest.param(lambda: b"", "empty", id="empty"),
    pytest.param(lambda: zip_files({"app.py": MAIN}), "main.py", id="no-main"),
    pytest.param(
        lambda: zip_files({"main.py": MAIN, "requirements.txt": "", "sub/requirements.txt": ""}),
        "requirements.txt",
        id="two-requirements",
    ),
]


def stored_files(stack: AirflowStack) -> set[str]:
    """Everything under the upload and archive folders, to show a refused upload left nothing."""
    roots = [stack.data_folder / "incoming", stack.data_folder / "artifacts"]
    return {str(p) for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("hostile")}).json()["workspace_id"]


@pytest.mark.parametrize(("make_archive", "mention"), HOSTILE)
def test_refused_with_400_and_nothing_kept(
    stack: AirflowStack, admin: httpx.Client, workspace: int, make_archive: Callable[[], bytes], mention: str
) -> None:
    before = stored_files(stack)
    body = assert_error(upload(admin, make_archive(), workspace), 400, mention)
    assert body["msg"].startswith("file:"), body
    assert stored_files(stack) == before
    assert admin.post("/orchestration/list", json={"workspace_id": workspace}).json() == []


class TestTooLarge:
    def test_declared_length_over_the_limit_is_413(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int
    ) -> None:
        before = stored_files(stack)
        archive = zip_files({"main.py": MAIN}) + os.urandom(65 * 1024 * 1024)
        assert_error(upload(admin, archive, workspace), 413, "limit")
        assert stored_files(stack) == before

    def test_chunked_upload_over_the_limit_is_413(
        self, stack: AirflowStack, admin: httpx.Client, workspace: int
    ) -> None:
        before = stored_files(stack)
        answer = chunked_upload(admin, workspace, megabytes=70)
        assert_error(answer, 413, "limit")
        assert stored_files(stack) == before
