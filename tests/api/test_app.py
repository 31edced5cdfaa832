"""The /v1 app as a whole: auth on every route, the error body, OpenAPI and docs (in-process)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.helpers import assert_error


class TestAuthentication:
    def test_missing_token_is_401(self, anonymous: httpx.Client) -> None:
        assert_error(anonymous.post("/workspaces/list", json={}), 401, "not authenticated")

    def test_garbage_token_is_401(self, anonymous: TestClient) -> None:
        answer = anonymous.post("/workspaces/list", json={}, headers={"Authorization": "Bearer not-a-jwt"})
        assert_error(answer, 401, "Invalid JWT")

    def test_token_signed_with_another_key_is_401(self, anonymous: TestClient) -> None:
        import jwt

        forged = jwt.encode({"sub": "admin", "role": "admin"}, "x" * 64, algorithm="HS512")
        answer = anonymous.post("/workspaces/list", json={}, headers={"Authorization": f"Bearer {forged}"})
        assert_error(answer, 401)

    def test_airflow_issued_token_is_accepted(self, admin: httpx.Client) -> None:
        assert admin.post("/workspaces/list", json={}).status_code == 200


class TestErrorBody:
    def test_body_that_is_not_json_is_400(self, admin: httpx.Client) -> None:
        answer = admin.post(
            "/workspaces/create", content=b'{"workspace_name": ', headers={"Content-Type": "application/json"}
        )
        assert_error(answer, 400, "not valid JSON")

    def test_json_that_is_not_an_object_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/workspaces/create", json=["x"]), 400)

    def test_unknown_path_under_v1_is_404(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/no/such/thing", json={}), 404, "/v1/api/no/such/thing")

    def test_unknown_path_without_token_is_still_a_contract_error(self, anonymous: httpx.Client) -> None:
        answer = anonymous.post("/no/such/thing", json={})
        assert answer.status_code in (401, 404)
        assert set(answer.json()) == {"msg", "code"}

    def test_wrong_method_names_the_method(self, admin: httpx.Client) -> None:
        assert_error(admin.get("/workspaces/list"), 405, "GET")


class TestOpenApi:
    def test_openapi_document_lists_the_contract_paths(self, v1: TestClient) -> None:
        document = v1.get("/openapi.json").json()
        for path in (
            "/api/workspaces/create",
            "/api/workspaces/list",
            "/api/workspaces/add_user",
            "/api/workspaces/remove_user",
            "/api/workspaces/list_users",
        ):
            assert path in document["paths"], path

    def test_docs_page_is_served(self, v1: TestClient) -> None:
        answer = v1.get("/docs")
        assert answer.status_code == 200
        assert "swagger" in answer.text.lower()
        assert "/v1/openapi.json" in answer.text


@pytest.mark.both_backends
def test_the_app_runs_on_the_backend_it_is_parametrized_with(database: str, admin: httpx.Client) -> None:
    """Guards the tier's PostgreSQL runs: they must really talk to PostgreSQL."""
    from airflow import settings

    assert settings.engine is not None
    assert settings.engine.dialect.name == {"sqlite": "sqlite", "postgres": "postgresql"}[database]
    assert admin.post("/workspaces/list", json={}).status_code == 200
