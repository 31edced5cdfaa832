"""``/v1/graphql`` over HTTP: the same token and workspace rules as ``/v1/api``, and GraphQL
errors (never a 404 or a 500) for what it does not serve."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.compat.conftest import unique
from tests.support.stack import AirflowStack

WORKSPACE_BY_ID = (
    "query W($id: bigint!) { workspace_by_pk(id: $id) { id name archived created_by users { user_id } } }"
)


@pytest.fixture
def graphql(compat_stack: AirflowStack) -> Iterator[callable]:
    clients: dict[str | None, httpx.Client] = {}

    def post(
        query: str, variables: dict | None = None, user: str | None = "admin", **extra
    ) -> httpx.Response:
        if user not in clients:
            headers = {"Authorization": f"Bearer {compat_stack.token(user)}"} if user else {}
            clients[user] = httpx.Client(base_url=compat_stack.base_url, headers=headers, timeout=60)
        return clients[user].post("/v1/graphql", json={"query": query, "variables": variables or {}, **extra})

    yield post
    for client in clients.values():
        client.close()


def workspace_of(compat_stack: AirflowStack, user: str) -> int:
    with compat_stack.client(user) as client:
        answer = client.post("/workspaces/create", json={"workspace_name": unique(f"gql-{user}")})
        assert answer.status_code == 200, answer.text
        return answer.json()["workspace_id"]


class TestAuthentication:
    def test_no_token_is_401(self, graphql) -> None:
        answer = graphql("{ workspace { id } }", user=None)
        assert answer.status_code == 401
        assert answer.json()["code"] == 401 and "token" in answer.json()["msg"]

    def test_get_is_405(self, compat_stack: AirflowStack) -> None:
        answer = httpx.get(
            f"{compat_stack.base_url}/v1/graphql", headers={"Authorization": f"Bearer {compat_stack.token()}"}
        )
        assert answer.status_code == 405 and answer.json()["code"] == 405


class TestWorkspaceRules:
    def test_a_member_reads_the_workspace(self, graphql, compat_stack: AirflowStack) -> None:
        workspace_id = workspace_of(compat_stack, "alice")
        answer = graphql(WORKSPACE_BY_ID, {"id": workspace_id}, user="alice")
        assert answer.status_code == 200
        body = answer.json()
        assert "errors" not in body
        assert body["data"]["workspace_by_pk"]["id"] == workspace_id
        assert body["data"]["workspace_by_pk"]["users"] == [{"user_id": "alice"}]
        assert body["data"]["workspace_by_pk"]["created_by"] == "alice"

    def test_someone_elses_workspace_is_403(self, graphql, compat_stack: AirflowStack) -> None:
        workspace_id = workspace_of(compat_stack, "alice")
        body = graphql(WORKSPACE_BY_ID, {"id": workspace_id}, user="bob").json()
        assert body["data"] == {"workspace_by_pk": None}
        [error] = body["errors"]
        assert error["extensions"]["code"] == 403 and "not a member" in error["message"]

    def test_unknown_workspace_is_404(self, graphql) -> None:
        body = graphql(WORKSPACE_BY_ID, {"id": 987654}).json()
        [error] = body["errors"]
        assert error["extensions"]["code"] == 404 and "987654" in error["message"]

    def test_default_workspace_only_the_callers(self, graphql) -> None:
        query = (
            'query D($u: String = "") '
            "{ user_default_workspace(where: {user_id: {_eq: $u}}) { workspace { name } } }"
        )
        mine = graphql(query, {"u": "bob"}, user="bob").json()
        assert mine["data"]["user_default_workspace"] == [{"workspace": {"name": "bob - Default Workspace"}}]
        assert graphql(query, {"u": "admin"}, user="bob").json()["data"]["user_default_workspace"] == []

    def test_filtered_workspace_list_is_the_callers(self, graphql, compat_stack: AirflowStack) -> None:
        alices = workspace_of(compat_stack, "alice")
        query = "query { workspace { id } }"
        assert alices in [w["id"] for w in graphql(query, user="alice").json()["data"]["workspace"]]
        assert alices not in [w["id"] for w in graphql(query, user="bob").json()["data"]["workspace"]]
        by_id = graphql(
            "query($id: bigint!) { workspace(where: {id: {_eq: $id}}) { id } }", {"id": alices}, user="alice"
        )
        assert by_id.json()["data"]["workspace"] == [{"id": alices}]


class TestMutations:
    def test_insert_then_a_duplicate(self, graphql) -> None:
        name = unique("gql-insert")
        insert = (
            "mutation($n: String!) "
            "{ insert_workspace_one(object: {name: $n, archived: false}) { id name created_by } }"
        )
        created = graphql(insert, {"n": name}).json()["data"]["insert_workspace_one"]
        assert created["name"] == name and created["created_by"] == "admin"
        again = graphql(insert, {"n": name}).json()
        assert again["errors"][0]["extensions"]["code"] == 409
        on_conflict = (
            "mutation($n: String!) { insert_workspace_one(object: {name: $n}, "
            "on_conflict: {constraint: workspace_name_key, update_columns: []}) { id } }"
        )
        assert graphql(on_conflict, {"n": name}).json() == {"data": {"insert_workspace_one": None}}

    def test_delete_workspace_users_owner_only(self, graphql, compat_stack: AirflowStack) -> None:
        workspace_id = workspace_of(compat_stack, "admin")
        with compat_stack.client("admin") as admin:
            assert (
                admin.post(
                    "/workspaces/add_user", json={"workspace_id": workspace_id, "user_id": "alice"}
                ).status_code
                == 200
            )
        delete = (
            "mutation($u: String!, $w: bigint!) { delete_workspace_users(where: {user_id: {_eq: $u}, "
            "_and: {workspace_id: {_eq: $w}}}) { affected_rows } }"
        )
        refused = graphql(delete, {"u": "admin", "w": workspace_id}, user="alice").json()
        assert refused["errors"][0]["extensions"]["code"] == 403
        done = graphql(delete, {"u": "alice", "w": workspace_id}).json()
        assert done == {"data": {"delete_workspace_users": {"affected_rows": 1}}}
        with compat_stack.client("admin") as admin:
            users = admin.post("/workspaces/list_users", json={"workspace_id": workspace_id}).json()["users"]
        assert [u["user_id"] for u in users] == ["admin"]


class TestWhatIsNotServed:
    @pytest.mark.parametrize(
        ("payload", "needle"),
        [
            pytest.param({"query": "{ pipeline { id } }"}, "pipeline", id="unknown-field"),
            pytest.param({"query": "{ workspace { id secret } }"}, "secret", id="unknown-subfield"),
            pytest.param({"query": "{ workspace { id "}, "Syntax Error", id="syntax"),
            pytest.param(
                {"query": "query A { workspace { id } }", "operationName": "B"}, "B", id="unknown-operation"
            ),
            pytest.param({"variables": {}}, "query", id="no-query"),
            pytest.param(
                {
                    "query": "query($id: uuid!) { orchestration_by_pk(id: $id) { id } }",
                    "variables": {"id": "not-a-uuid"},
                },
                "not-a-uuid",
                id="bad-variable",
            ),
        ],
    )
    def test_graphql_error_400(self, compat_stack: AirflowStack, payload: dict, needle: str) -> None:
        answer = httpx.post(
            f"{compat_stack.base_url}/v1/graphql",
            json=payload,
            headers={"Authorization": f"Bearer {compat_stack.token()}"},
        )
        assert answer.status_code == 400, answer.text
        errors = answer.json()["errors"]
        assert errors and needle in " ".join(e["message"] for e in errors)

    @pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"], ids=["not-json", "not-an-object"])
    def test_bad_body_is_a_graphql_error(self, compat_stack: AirflowStack, body: bytes) -> None:
        answer = httpx.post(
            f"{compat_stack.base_url}/v1/graphql",
            content=body,
            headers={"Authorization": f"Bearer {compat_stack.token()}", "Content-Type": "application/json"},
        )
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["message"]

    def test_introspection_names_hasura_roots(self, graphql) -> None:
        body = graphql("{ __schema { queryType { name } mutationType { name } } }").json()
        assert body["data"]["__schema"] == {
            "queryType": {"name": "query_root"},
            "mutationType": {"name": "mutation_root"},
        }
