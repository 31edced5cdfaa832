"""The OpenAPI document says what the wire says: 400 ``{msg, code}``, each route's error codes,
the archive as application/zip, the rules OpenAPI can say; 405 names the allowed methods."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.helpers import assert_error

ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture(scope="module")
def document(v1_app: Any) -> dict[str, Any]:
    with TestClient(v1_app, base_url="http://testserver/v1") as client:
        return dict(client.get("/openapi.json").json())


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{m.upper()} {p}", op) for p, ops in document["paths"].items() for m, op in ops.items()]


def error_codes(operation: dict[str, Any]) -> set[str]:
    return {code for code in operation["responses"] if code.startswith(("4", "5"))}


def test_no_422_anywhere(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert '"422"' not in text
    assert "HTTPValidationError" not in text


def test_errors_are_msg_and_code(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["ErrorBody"]
    assert set(schema["required"]) == {"msg", "code"}
    for label, operation in operations(document):
        for code in error_codes(operation) - ({"400"} if label == "POST /graphql" else set()):
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": ERROR_REF}, (label, code)


@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("POST /api/workspaces/create", {"400", "401", "403", "409"}),
        ("POST /api/workspaces/remove_user", {"400", "401", "403", "404", "409"}),
        ("POST /api/orchestration/upload", {"400", "401", "403", "404", "413", "429", "507"}),
        ("POST /api/orchestration/delete_orchestrations", {"400", "401", "403", "404", "409"}),
        ("POST /api/task/run_once", {"400", "401", "403", "404", "409"}),
        ("POST /api/task/kill", {"400", "401", "403", "404", "409"}),
        ("GET /api/orchestration/download", {"400", "401", "403", "404"}),
        ("POST /auth/realms/master/protocol/openid-connect/token", {"400", "401"}),
    ],
)
def test_each_route_declares_its_error_codes(document: dict[str, Any], label: str, codes: set[str]) -> None:
    assert error_codes(dict(operations(document))[label]) == codes


def test_every_authenticated_route_documents_401(document: dict[str, Any]) -> None:
    for label, operation in operations(document):
        if label.split()[1].startswith("/api/") and label != "GET /api/config":
            assert "401" in operation["responses"], label


def test_download_is_a_zip(document: dict[str, Any]) -> None:
    content = document["paths"]["/api/orchestration/download"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/zip"}
    assert content["application/zip"]["schema"]["format"] == "binary"


def test_one_of_user_id_or_email(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["AddUserRequest"]
    assert [rule["required"] for rule in schema["anyOf"]] == [["user_id"], ["email"]]


def test_unknown_fields_are_refused_in_the_schema(document: dict[str, Any]) -> None:
    assert document["components"]["schemas"]["RunOnceRequest"]["additionalProperties"] is False


def test_bounds_are_in_the_schema(document: dict[str, Any]) -> None:
    run_once = document["components"]["schemas"]["RunOnceRequest"]["properties"]
    assert run_once["workspace_id"]["maximum"] == 2**53 - 1
    timeout = next(s for s in run_once["timeout"]["anyOf"] if s.get("type") == "integer")
    assert timeout["maximum"] == 365 * 24 * 3600


def test_upload_metadata_is_described_as_json(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/orchestration/upload"]["post"]["requestBody"]["content"]
    form = body["multipart/form-data"]
    assert form["encoding"]["metadata"]["contentType"] == "application/json"
    assert "workspace_id" in form["schema"]["properties"]["metadata"]["properties"]


def test_405_carries_allow(admin: httpx.Client) -> None:
    answer = admin.get("/workspaces/list")
    assert_error(answer, 405, "GET", "POST")
    assert answer.headers["allow"] == "POST"


def test_another_realm_is_404_naming_master(v1: TestClient) -> None:
    answer = v1.post("/auth/realms/other/protocol/openid-connect/token", data={"grant_type": "password"})
    assert_error(answer, 404, "one realm, 'master'")


def test_device_login_is_refused_with_the_reason(v1: TestClient) -> None:
    assert_error(v1.post("/auth/realms/master/protocol/openid-connect/auth/device"), 400, "device")


def test_unsupported_grant_type_is_400_naming_it(v1: TestClient) -> None:
    answer = v1.post(
        "/auth/realms/master/protocol/openid-connect/token", data={"grant_type": "client_credentials"}
    )
    assert_error(answer, 400, "grant_type", "password", "refresh_token")
