"""A stack configured as production deployments are: the FAB auth manager and an object-storage
artifact store. Its roles and its users hold on /v1, and archives go through Airflow's
ObjectStoragePath (``file://`` here) from upload to packaging to download.

A stack of its own (SQLite), with FAB's user table; users are made with Airflow's own CLI.
The two settings are independent, so one stack serves both (one start fewer); the
no-room-left (507) upload tests are in-process, in tests/api/test_storage_limits.py.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.archives import zip_files
from tests.support.helpers import assert_error, unique
from tests.support.orchestrations import upload_ok, wait_for_status
from tests.support.stack import AirflowStack

FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fab_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    objects = tmp_path_factory.mktemp("object-store")
    stack = AirflowStack(
        home=tmp_path_factory.mktemp("airflow-fab"),
        backend="sqlite",
        extra_env={
            "AIRFLOW__CORE__AUTH_MANAGER": FAB,
            "AIRFLOW__WALLAROO__ARTIFACT_STORE": f"file://{objects}",
        },
    )
    stack.objects = objects  # type: ignore[attr-defined]
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def fab_user(stack: AirflowStack, name: str, role: str) -> str:
    """Create a FAB user with ``airflow users create``; return their token."""
    created = stack.shell(
        "airflow", "users", "create", "--username", name, "--password", f"{name}-pw", "--role", role,
        "--email", f"{name}@example.com", "--firstname", name, "--lastname", "test",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    answer = httpx.post(
        f"{stack.base_url}/auth/token", json={"username": name, "password": f"{name}-pw"}, timeout=30
    )
    assert answer.status_code in (200, 201), answer.text
    token: str = answer.json()["access_token"]
    return token


def client(stack: AirflowStack, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{stack.base_url}/v1/api", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def test_fab_roles_are_what_v1_enforces(fab_stack: AirflowStack) -> None:
    with client(fab_stack, fab_user(fab_stack, "fab_admin", "Admin")) as admin:
        created = admin.post("/workspaces/create", json={"workspace_name": unique("fab")})
        assert created.status_code == 200, created.text
    with client(fab_stack, fab_user(fab_stack, "fab_viewer", "Viewer")) as viewer:
        assert viewer.post("/workspaces/list", json={}).status_code == 200
        assert_error(
            viewer.post("/workspaces/create", json={"workspace_name": unique("no")}), 403, "Airflow role"
        )
        assert_error(viewer.post("/task/kill", json={"id": "x"}), 403, "Airflow role")
    with client(fab_stack, fab_user(fab_stack, "fab_user", "User")) as user:
        assert user.post("/workspaces/create", json={"workspace_name": unique("fab-user")}).status_code == 200


def test_a_deleted_fab_user_is_refused(fab_stack: AirflowStack) -> None:
    token = fab_user(fab_stack, "fab_leaving", "User")
    deleted = fab_stack.shell("airflow", "users", "delete", "--username", "fab_leaving")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    with client(fab_stack, token) as leaving:
        answer = leaving.post("/workspaces/list", json={})
    assert answer.status_code == 401 and set(answer.json()) == {"msg", "code"}, answer.text


def test_upload_package_and_download_through_object_storage(fab_stack: AirflowStack) -> None:
    """Moved from test_storage_limits.py: the archive lives in the object store, packaging reads it."""
    with client(fab_stack, fab_user(fab_stack, "fab_storage", "Admin")) as admin:
        workspace = admin.post("/workspaces/create", json={"workspace_name": unique("objects")}).json()[
            "workspace_id"
        ]
        archive = zip_files({"main.py": "print('object storage')\n", "nonce": uuid.uuid4().hex})
        sha = hashlib.sha256(archive).hexdigest()
        orchestration_id = upload_ok(admin, archive, workspace)
        assert (fab_stack.objects / "archives" / f"{sha}.zip").read_bytes() == archive  # type: ignore[attr-defined]
        assert not (fab_stack.data_folder / "artifacts" / "archives" / f"{sha}.zip").exists()
        assert wait_for_status(admin, orchestration_id, {"ready", "error"}, timeout=120)["status"] == "ready"
        downloaded = admin.get("/orchestration/download", params={"id": orchestration_id})
        assert downloaded.status_code == 200 and downloaded.content == archive
