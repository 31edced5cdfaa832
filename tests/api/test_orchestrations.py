"""``/v1/api/orchestration/*`` in-process: upload, listing, download, delete, isolation.

Moved from the integration tier: none of this needs a scheduler. An upload here stays
``pending_packaging`` (no dag-processor has serialized the packaging DAG); the packaging
itself, and the documented ``requests`` example on the real server, stay in
tests/integration/test_orchestrations.py. Listing and time ranges are SQL, so the module
runs on PostgreSQL as well as SQLite.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload, upload_ok

pytestmark = pytest.mark.both_backends
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


@pytest.fixture
def data_folder(v1_app: object) -> Path:
    from airflow_wallaroo.settings import load_settings

    return load_settings().data_folder


def unique_hello() -> bytes:
    """A hello archive with bytes of its own, so its sha is new to the database."""
    return zip_files(HELLO | {"nonce.txt": uuid.uuid4().hex})


class TestUpload:
    def test_metadata_as_a_plain_form_field_is_accepted(self, admin: httpx.Client, workspace: int) -> None:
        orchestration_id = upload_ok(admin, unique_hello(), workspace)
        body = admin.post("/orchestration/get_by_id", json={"id": orchestration_id}).json()
        assert body["name"] == "orchestration"  # the file name without .zip

    def test_without_a_token_is_401(self, anonymous: httpx.Client, workspace: int) -> None:
        assert_error(upload(anonymous, unique_hello(), workspace), 401)

    def test_into_someone_elses_workspace_is_403(self, bob: httpx.Client, workspace: int) -> None:
        assert_error(upload(bob, unique_hello(), workspace), 403, "workspace_id")

    def test_into_an_unknown_workspace_is_404(self, admin: httpx.Client) -> None:
        assert_error(upload(admin, unique_hello(), 99999999), 404, "workspace_id")

    @pytest.mark.parametrize(
        ("metadata", "mention"),
        [
            pytest.param("{not json", "metadata: not valid JSON", id="not-json"),
            pytest.param("{}", "metadata.workspace_id", id="missing-workspace"),
            pytest.param('{"workspace_id": "one"}', "metadata.workspace_id", id="wrong-type"),
        ],
    )
    def test_bad_metadata_is_400(self, admin: httpx.Client, metadata: str, mention: str) -> None:
        answer = admin.post(
            "/orchestration/upload",
            files={"file": ("o.zip", unique_hello(), "application/octet-stream")},
            data={"metadata": metadata},
        )
        assert_error(answer, 400, mention)

    def test_missing_metadata_is_400(self, admin: httpx.Client) -> None:
        answer = admin.post(
            "/orchestration/upload", files={"file": ("o.zip", unique_hello(), "application/octet-stream")}
        )
        assert_error(answer, 400, "metadata: required")

    def test_missing_file_is_400(self, admin: httpx.Client, workspace: int) -> None:
        metadata = (None, json.dumps({"workspace_id": workspace}), "application/json")
        answer = admin.post("/orchestration/upload", files={"metadata": metadata})
        assert_error(answer, 400, "file: required")

    def test_urlencoded_form_is_400(self, admin: httpx.Client, workspace: int) -> None:
        answer = admin.post(
            "/orchestration/upload", data={"metadata": json.dumps({"workspace_id": workspace})}
        )
        assert_error(answer, 400, "multipart/form-data")

    def test_json_body_instead_of_multipart_is_400(self, admin: httpx.Client, workspace: int) -> None:
        assert_error(
            admin.post("/orchestration/upload", json={"workspace_id": workspace}), 400, "multipart/form-data"
        )


class TestListAndGet:
    def test_list_shows_the_workspaces_orchestrations(self, admin: httpx.Client, workspace: int) -> None:
        ids = {upload_ok(admin, unique_hello(), workspace) for _ in range(2)}
        listed = admin.post("/orchestration/list", json={"workspace_id": workspace}).json()
        assert {o["id"] for o in listed} == ids
        assert all(set(o) >= ORCHESTRATION_FIELDS for o in listed)

    def test_list_all_spans_my_workspaces_with_their_names(self, admin: httpx.Client, workspace: int) -> None:
        orchestration_id = upload_ok(admin, unique_hello(), workspace)
        everything = admin.post("/orchestration/list_all", json={"workspace_ids": []}).json()[
            "orchestrations"
        ]
        mine = [o for o in everything if o["orchestration"]["id"] == orchestration_id]
        assert len(mine) == 1
        assert mine[0]["workspace"]["id"] == workspace and mine[0]["tasks"] == []
        only = admin.post("/orchestration/list_all", json={"workspace_ids": [workspace]}).json()[
            "orchestrations"
        ]
        assert {o["orchestration"]["workspace_id"] for o in only} == {workspace}

    def test_list_all_time_range(self, admin: httpx.Client, workspace: int) -> None:
        orchestration_id = upload_ok(admin, unique_hello(), workspace)
        past = ["2000-01-01T00:00:00+00:00", "2000-01-02T00:00:00+00:00"]
        found = admin.post(
            "/orchestration/list_all", json={"workspace_ids": [workspace], "time_range": past}
        ).json()
        assert found["orchestrations"] == []
        wide = ["2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"]
        found = admin.post(
            "/orchestration/list_all", json={"workspace_ids": [workspace], "time_range": wide}
        ).json()
        assert orchestration_id in {o["orchestration"]["id"] for o in found["orchestrations"]}

    def test_unknown_id_is_404(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/orchestration/get_by_id", json={"id": str(uuid.uuid4())}), 404, "id")

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            pytest.param("/orchestration/list", {}, "workspace_id", id="list-missing"),
            pytest.param("/orchestration/get_by_id", {"id": 5}, "id", id="get-wrong-type"),
            pytest.param(
                "/orchestration/list_all", {"workspace_ids": "x"}, "workspace_ids", id="list-all-wrong-type"
            ),
            pytest.param(
                "/orchestration/list_all", {"time_range": ["yesterday"]}, "time_range", id="bad-range"
            ),
            pytest.param(
                "/orchestration/delete_orchestrations",
                {"orchestrations": []},
                "orchestrations",
                id="delete-empty",
            ),
        ],
    )
    def test_bad_bodies_are_400(self, admin: httpx.Client, path: str, body: dict, field: str) -> None:
        assert_error(admin.post(path, json=body), 400, field)


class TestDownload:
    def test_returns_the_original_bytes(self, admin: httpx.Client, workspace: int) -> None:
        archive = unique_hello()
        orchestration_id = upload_ok(admin, archive, workspace)
        answer = admin.get("/orchestration/download", params={"id": orchestration_id})
        assert answer.status_code == 200
        assert answer.content == archive
        assert hashlib.sha256(answer.content).hexdigest() == answer.headers["x-orchestration-sha"]

    def test_unknown_id_is_404(self, admin: httpx.Client) -> None:
        assert_error(admin.get("/orchestration/download", params={"id": str(uuid.uuid4())}), 404)

    def test_missing_id_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.get("/orchestration/download"), 400, "id")


class TestDelete:
    def test_deletes_and_removes_the_unshared_archive(
        self, data_folder: Path, admin: httpx.Client, workspace: int
    ) -> None:
        archive = unique_hello()
        sha = hashlib.sha256(archive).hexdigest()
        orchestration_id = upload_ok(admin, archive, workspace)
        stored = data_folder / "artifacts" / "archives" / f"{sha}.zip"
        assert stored.exists()
        answer = admin.post(
            "/orchestration/delete_orchestrations", json={"orchestrations": [orchestration_id]}
        )
        assert answer.status_code == 200 and answer.json() == {
            "bytes": len(archive),
            "deleted": [orchestration_id],
        }
        assert_error(admin.post("/orchestration/get_by_id", json={"id": orchestration_id}), 404)
        assert not stored.exists()

    def test_keeps_an_archive_another_orchestration_uses(
        self, data_folder: Path, admin: httpx.Client, workspace: int
    ) -> None:
        archive = unique_hello()
        first, second = upload_ok(admin, archive, workspace), upload_ok(admin, archive, workspace)
        kept = admin.post("/orchestration/delete_orchestrations", json={"orchestrations": [first]})
        assert kept.json() == {"bytes": 0, "deleted": [first]}  # nothing freed: the archive stays
        answer = admin.get("/orchestration/download", params={"id": second})
        assert answer.status_code == 200 and answer.content == archive

    def test_unknown_id_is_404(self, admin: httpx.Client) -> None:
        body = {"orchestrations": [str(uuid.uuid4())], "confirm_delete": True}
        assert_error(admin.post("/orchestration/delete_orchestrations", json=body), 404)


class TestWorkspaceIsolation:
    @pytest.fixture
    def admins_orchestration(self, admin: httpx.Client, workspace: int) -> str:
        return upload_ok(admin, unique_hello(), workspace)

    def test_get_by_id_is_403(self, bob: httpx.Client, admins_orchestration: str) -> None:
        assert_error(bob.post("/orchestration/get_by_id", json={"id": admins_orchestration}), 403)

    def test_list_is_403(self, bob: httpx.Client, workspace: int) -> None:
        assert_error(bob.post("/orchestration/list", json={"workspace_id": workspace}), 403)

    def test_list_all_hides_it(self, bob: httpx.Client, admins_orchestration: str) -> None:
        everything = bob.post("/orchestration/list_all", json={}).json()["orchestrations"]
        assert admins_orchestration not in {o["orchestration"]["id"] for o in everything}

    def test_list_all_of_a_foreign_workspace_is_403(self, bob: httpx.Client, workspace: int) -> None:
        assert_error(bob.post("/orchestration/list_all", json={"workspace_ids": [workspace]}), 403)

    def test_download_is_403(self, bob: httpx.Client, admins_orchestration: str) -> None:
        assert_error(bob.get("/orchestration/download", params={"id": admins_orchestration}), 403)

    def test_delete_is_403_and_deletes_nothing(
        self, admin: httpx.Client, bob: httpx.Client, admins_orchestration: str
    ) -> None:
        body = {"orchestrations": [admins_orchestration], "confirm_delete": True}
        assert_error(bob.post("/orchestration/delete_orchestrations", json=body), 403)
        assert admin.post("/orchestration/get_by_id", json={"id": admins_orchestration}).status_code == 200

    def test_a_member_sees_it(
        self, admin: httpx.Client, alice: httpx.Client, workspace: int, admins_orchestration: str
    ) -> None:
        admin.post("/workspaces/add_user", json={"workspace_id": workspace, "user_id": "alice"})
        assert alice.post("/orchestration/get_by_id", json={"id": admins_orchestration}).status_code == 200

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            pytest.param("POST", "/orchestration/list", id="list"),
            pytest.param("POST", "/orchestration/get_by_id", id="get"),
            pytest.param("POST", "/orchestration/list_all", id="list_all"),
            pytest.param("GET", "/orchestration/download?id=x", id="download"),
            pytest.param("POST", "/orchestration/delete_orchestrations", id="delete"),
        ],
    )
    def test_every_endpoint_needs_a_token(self, anonymous: httpx.Client, method: str, path: str) -> None:
        assert_error(anonymous.request(method, path, json={} if method == "POST" else None), 401)
