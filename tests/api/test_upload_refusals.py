"""Upload refuses at once what packaging would fail on, with messages free of binary junk."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error

MAIN = "print('hi')\n"
BOUNDARY = "b0undary"


def multipart(*parts: tuple[str, str | None, bytes], closed: bool = True) -> bytes:
    """A multipart body of (name, filename, content) parts, its closing boundary optional."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
        )
    if closed:
        chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def post_raw(client: httpx.Client, body: bytes, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post("/orchestration/upload", content=body, headers=headers)


def upload(client: httpx.Client, archive: bytes, workspace_id: int) -> httpx.Response:
    return client.post(
        "/orchestration/upload",
        files={
            "file": ("o.zip", archive, "application/zip"),
            "metadata": (None, json.dumps({"workspace_id": workspace_id}).encode(), "application/json"),
        },
    )


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    listed = admin.post("/workspaces/list", json={}).json()["workspaces"]
    return int(listed[0]["id"])


class TestArchiveNames:
    def test_name_part_over_255_bytes(self, admin: httpx.Client, workspace: int) -> None:
        archive = zip_files({"main.py": MAIN, f"data/{'é' * 128}.txt": "x"})
        body = assert_error(upload(admin, archive, workspace), 400, "name part over 255 bytes")
        assert len(body["msg"]) < 400

    def test_path_over_4096_bytes(self, admin: httpx.Client, workspace: int) -> None:
        deep = "/".join(["d" * 200] * 21) + "/f.txt"
        body = assert_error(
            upload(admin, zip_files({"main.py": MAIN, deep: "x"}), workspace), 400, "over 4096"
        )
        assert len(body["msg"]) < 400

    @pytest.mark.parametrize(
        "files",
        [
            {"main.py": MAIN, "requirements.txt": "", "Requirements.txt": ""},
            {"main.py": MAIN, "Main.py": MAIN},
            {"main.py": MAIN, "sub/REQUIREMENTS.TXT": "", "sub/requirements.txt": ""},
        ],
        ids=["requirements", "main", "in-a-folder"],
    )
    def test_case_insensitive_twins(self, admin: httpx.Client, workspace: int, files: dict[str, str]) -> None:
        assert_error(upload(admin, zip_files(files), workspace), 400, "differ only in case")

    def test_twins_in_different_folders_are_fine_for_validation(
        self, admin: httpx.Client, workspace: int
    ) -> None:
        answer = upload(admin, zip_files({"main.py": MAIN, "a/Main.py": MAIN}), workspace)
        assert answer.status_code != 400 or "differ only in case" not in answer.text, answer.text

    def test_a_file_that_is_also_a_folder(self, admin: httpx.Client, workspace: int) -> None:
        assert_error(
            upload(admin, zip_files({"main.py": MAIN, "lib": "x", "lib/a.py": "y"}), workspace),
            400,
            "both a file and a folder",
        )

    def test_malformed_central_directory_says_so_without_binary(
        self, admin: httpx.Client, workspace: int
    ) -> None:
        archive = bytearray(zip_files({"main.py": MAIN}))
        central = archive.rfind(b"PK\x01\x02")
        name_at = central + 46
        archive[name_at : name_at + 7] = b"\x01\x02\xff\xfe\x07.p"  # the directory's name, not the header's
        body = assert_error(upload(admin, bytes(archive), workspace), 400, "file:")
        assert body["msg"].isprintable(), body["msg"]
        assert "\\x" in body["msg"] or "valid ZIP" in body["msg"]
        assert len(body["msg"]) < 400

    def test_binary_garbage_as_the_archive(self, admin: httpx.Client, workspace: int) -> None:
        body = assert_error(upload(admin, bytes(range(256)) * 8, workspace), 400, "file:")
        assert body["msg"].isprintable()


class TestMultipart:
    def test_two_metadata_parts(self, admin: httpx.Client, workspace: int) -> None:
        meta = json.dumps({"workspace_id": workspace}).encode()
        body = multipart(
            ("metadata", None, meta),
            ("file", "o.zip", zip_files({"main.py": MAIN})),
            ("metadata", None, meta),
        )
        assert_error(
            post_raw(admin, body, f"multipart/form-data; boundary={BOUNDARY}"), 400, "more than one metadata"
        )

    def test_unclosed_body(self, admin: httpx.Client, workspace: int) -> None:
        meta = json.dumps({"workspace_id": workspace}).encode()
        body = multipart(
            ("metadata", None, meta), ("file", "o.zip", zip_files({"main.py": MAIN})), closed=False
        )
        answer = post_raw(admin, body[: len(body) - 40], f"multipart/form-data; boundary={BOUNDARY}")
        body_ = assert_error(answer, 400, "closing boundary")
        assert "metadata: required" not in body_["msg"]

    def test_no_content_type(self, admin: httpx.Client) -> None:
        body = assert_error(post_raw(admin, b"whatever", None), 400, "no Content-Type")
        assert "valid dictionary" not in body["msg"]

    def test_wrong_content_type_is_named_escaped(self, admin: httpx.Client) -> None:
        assert_error(
            post_raw(admin, b"{}", "application/json"), 400, "'application/json'", "multipart/form-data"
        )

    def test_bad_content_length(self, admin: httpx.Client) -> None:
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        request = admin.build_request("POST", "/orchestration/upload", content=multipart(), headers=headers)
        request.headers["Content-Length"] = "12x"
        answer = admin.send(request)
        assert answer.status_code == 400, answer.text


class TestJsonBodiesWithoutContentType:
    def test_no_content_type_says_what_to_send(self, admin: httpx.Client) -> None:
        answer = admin.post(
            "/workspaces/create", content=b'{"workspace_name": "x"}', headers={"Content-Type": ""}
        )
        body = assert_error(answer, 400, "Content-Type: application/json")
        assert "valid dictionary" not in body["msg"]

    def test_form_body_names_its_type(self, admin: httpx.Client) -> None:
        answer = admin.post("/task/kill", data={"id": "x"})
        assert_error(answer, 400, "application/x-www-form-urlencoded")
