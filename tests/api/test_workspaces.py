"""``/v1/api/workspaces/*`` in-process: 200, 400, 401, 403, 404 on each endpoint.

Nothing here needs a scheduler (moved from the integration tier); membership and listing
are SQL, so the module runs on PostgreSQL as well as SQLite.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.helpers import assert_error, unique

pytestmark = pytest.mark.both_backends
ENDPOINTS = ["create", "list", "add_user", "remove_user", "list_users"]


def create_workspace(client: httpx.Client, name: str | None = None) -> int:
    answer = client.post("/workspaces/create", json={"workspace_name": name or unique("ws")})
    assert answer.status_code == 200, answer.text
    return answer.json()["workspace_id"]


def member_ids(client: httpx.Client, workspace_id: int) -> dict[str, str]:
    answer = client.post("/workspaces/list_users", json={"workspace_id": workspace_id})
    assert answer.status_code == 200, answer.text
    return {u["user_id"]: u["user_type"] for u in answer.json()["users"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_needs_a_token(anonymous: httpx.Client, endpoint: str) -> None:
    assert_error(anonymous.post(f"/workspaces/{endpoint}", json={"workspace_id": 1}), 401)


class TestFirstCall:
    def test_a_new_user_gets_a_default_workspace_they_own(self, bob: httpx.Client) -> None:
        workspaces = bob.post("/workspaces/list", json={}).json()["workspaces"]
        defaults = [w for w in workspaces if w["name"] == "bob - Default Workspace"]
        assert len(defaults) == 1
        assert member_ids(bob, defaults[0]["id"]) == {"bob": "owner"}


class TestCreate:
    def test_creates_and_makes_the_caller_owner(self, admin: httpx.Client) -> None:
        name = unique("create")
        workspace_id = create_workspace(admin, name)
        assert isinstance(workspace_id, int)
        listed = {w["id"]: w for w in admin.post("/workspaces/list", json={}).json()["workspaces"]}
        assert listed[workspace_id]["name"] == name
        assert listed[workspace_id]["created_by"] == "admin"
        assert listed[workspace_id]["archived"] is False
        assert listed[workspace_id]["models"] == [] and listed[workspace_id]["pipelines"] == []
        assert listed[workspace_id]["created_at"].endswith("+00:00")
        assert member_ids(admin, workspace_id) == {"admin": "owner"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({}, "workspace_name", id="missing"),
            pytest.param({"workspace_name": 12}, "workspace_name", id="wrong-type"),
            pytest.param({"workspace_name": ""}, "workspace_name", id="empty"),
            pytest.param({"workspace_name": "   "}, "workspace_name", id="blank"),
        ],
    )
    def test_bad_bodies_are_400_naming_the_field(self, admin: httpx.Client, body: dict, field: str) -> None:
        assert_error(admin.post("/workspaces/create", json=body), 400, field)

    def test_duplicate_name_is_409(self, admin: httpx.Client, alice: httpx.Client) -> None:
        name = unique("dup")
        create_workspace(admin, name)
        assert_error(alice.post("/workspaces/create", json={"workspace_name": name}), 409, name)


class TestList:
    def test_lists_only_the_callers_workspaces(self, admin: httpx.Client, alice: httpx.Client) -> None:
        mine = create_workspace(alice)
        theirs = create_workspace(admin)
        ids = {w["id"] for w in alice.post("/workspaces/list", json={}).json()["workspaces"]}
        assert mine in ids and theirs not in ids

    def test_no_body_at_all_is_accepted(self, admin: httpx.Client) -> None:
        assert admin.post("/workspaces/list").status_code == 200

    def test_user_id_filter_keeps_shared_workspaces(self, admin: httpx.Client, alice: httpx.Client) -> None:
        shared = create_workspace(admin)
        admin_only = create_workspace(admin)
        assert (
            admin.post("/workspaces/add_user", json={"workspace_id": shared, "user_id": "alice"}).status_code
            == 200
        )
        ids = {
            w["id"] for w in admin.post("/workspaces/list", json={"user_id": "alice"}).json()["workspaces"]
        }
        assert shared in ids and admin_only not in ids

    def test_wrong_type_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/workspaces/list", json={"user_id": ["a"]}), 400, "user_id")


class TestAddUser:
    def test_owner_adds_a_collaborator_by_user_id(self, admin: httpx.Client, alice: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = admin.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"})
        assert answer.status_code == 200 and answer.json() == {}
        assert member_ids(admin, workspace_id) == {"admin": "owner", "alice": "collaborator"}
        # and alice now sees it
        assert workspace_id in {w["id"] for w in alice.post("/workspaces/list", json={}).json()["workspaces"]}

    def test_owner_adds_an_owner_by_email(self, admin: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        body = {"workspace_id": workspace_id, "email": "bob", "user_type": "owner"}
        assert admin.post("/workspaces/add_user", json=body).status_code == 200
        assert member_ids(admin, workspace_id)["bob"] == "owner"

    def test_collaborator_cannot_add_users(self, admin: httpx.Client, alice: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        admin.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"})
        answer = alice.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "bob"})
        assert_error(answer, 403, "owner")

    def test_non_member_gets_403(self, admin: httpx.Client, bob: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = bob.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "bob"})
        assert_error(answer, 403, str(workspace_id))

    def test_unknown_workspace_is_404(self, admin: httpx.Client) -> None:
        assert_error(
            admin.post("/workspaces/add_user", json={"workspace_id": 99999999, "user_id": "bob"}), 404
        )

    def test_unknown_user_is_404(self, admin: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = admin.post(
            "/workspaces/add_user", json={"workspace_id": workspace_id, "email": "nobody@x.io"}
        )
        assert_error(answer, 404, "nobody@x.io")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({"user_id": "alice"}, "workspace_id", id="missing-workspace"),
            pytest.param({"workspace_id": "one", "user_id": "alice"}, "workspace_id", id="wrong-type"),
            pytest.param(
                {"workspace_id": 1, "user_id": "alice", "user_type": "boss"}, "user_type", id="bad-role"
            ),
            pytest.param({"workspace_id": 1}, "email or user_id", id="nobody"),
        ],
    )
    def test_bad_bodies_are_400(self, admin: httpx.Client, body: dict, field: str) -> None:
        body = dict(body)  # the param is shared by both backends' runs: never mutate it
        if body.get("workspace_id") == 1:
            body["workspace_id"] = create_workspace(admin)
        assert_error(admin.post("/workspaces/add_user", json=body), 400, field)


class TestRemoveUser:
    def test_owner_removes_a_member(self, admin: httpx.Client, alice: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        admin.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"})
        answer = admin.post(
            "/workspaces/remove_user", json={"workspace_id": workspace_id, "user_id": "alice"}
        )
        # affected_rows: the SDK's WorkspacesRemoveUserResponse200 requires it.
        assert answer.status_code == 200 and answer.json() == {"affected_rows": 1}
        assert member_ids(admin, workspace_id) == {"admin": "owner"}
        assert_error(alice.post("/workspaces/list_users", json={"workspace_id": workspace_id}), 403)

    def test_last_owner_cannot_be_removed(self, admin: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = admin.post(
            "/workspaces/remove_user", json={"workspace_id": workspace_id, "user_id": "admin"}
        )
        assert_error(answer, 409, "owner")

    def test_collaborator_cannot_remove(self, admin: httpx.Client, alice: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        admin.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"})
        answer = alice.post(
            "/workspaces/remove_user", json={"workspace_id": workspace_id, "user_id": "admin"}
        )
        assert_error(answer, 403)

    def test_non_member_gets_403(self, admin: httpx.Client, bob: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = bob.post("/workspaces/remove_user", json={"workspace_id": workspace_id, "user_id": "admin"})
        assert_error(answer, 403)

    def test_removing_someone_who_is_not_a_member_is_404(self, admin: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        answer = admin.post("/workspaces/remove_user", json={"workspace_id": workspace_id, "user_id": "bob"})
        assert_error(answer, 404, "bob")

    def test_unknown_workspace_is_404(self, admin: httpx.Client) -> None:
        assert_error(
            admin.post("/workspaces/remove_user", json={"workspace_id": 99999999, "user_id": "a"}), 404
        )

    def test_missing_workspace_id_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/workspaces/remove_user", json={"user_id": "alice"}), 400, "workspace_id")


class TestListUsers:
    def test_member_sees_the_members(self, admin: httpx.Client, alice: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        admin.post("/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"})
        assert member_ids(alice, workspace_id) == {"admin": "owner", "alice": "collaborator"}

    def test_non_member_gets_403(self, admin: httpx.Client, bob: httpx.Client) -> None:
        workspace_id = create_workspace(admin)
        assert_error(bob.post("/workspaces/list_users", json={"workspace_id": workspace_id}), 403)

    def test_unknown_workspace_is_404(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/workspaces/list_users", json={"workspace_id": 99999999}), 404)

    def test_missing_workspace_id_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/workspaces/list_users", json={}), 400, "workspace_id")
