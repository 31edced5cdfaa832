"""The SDK's token endpoint, ``/auth/realms/master/protocol/openid-connect/token``, over HTTP:
Airflow checks the password and issues the access token; refresh tokens refresh, and are
never access tokens themselves."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.support.stack import AirflowStack

TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token"


def token_call(stack: AirflowStack, path: str = TOKEN_PATH, **form: str) -> httpx.Response:
    return httpx.post(f"{stack.base_url}{path}", data={"client_id": "sdk-client", **form}, timeout=60)


@pytest.fixture
def issued(compat_stack: AirflowStack) -> dict:
    answer = token_call(
        compat_stack, grant_type="password", username="alice", password=compat_stack.password("alice")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


class TestPasswordGrant:
    def test_answers_an_airflow_token(self, issued: dict, compat_stack: AirflowStack) -> None:
        assert issued["token_type"] == "Bearer"
        assert issued["expires_in"] == 86400 and issued["refresh_expires_in"] == 36000
        claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
        assert claims["sub"] == "alice" and claims["aud"] == "apache-airflow"
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        # Airflow's own API takes it: it is Airflow's token, not a copy.
        assert httpx.get(f"{compat_stack.base_url}/api/v2/dags", headers=headers).status_code == 200
        listed = httpx.post(f"{compat_stack.base_url}/v1/api/workspaces/list", headers=headers, json={})
        assert "alice - Default Workspace" in [w["name"] for w in listed.json()["workspaces"]]

    def test_wrong_password_is_401(self, compat_stack: AirflowStack) -> None:
        answer = token_call(compat_stack, grant_type="password", username="alice", password="nope")
        assert answer.status_code == 401 and "invalid user credentials" in answer.json()["msg"]

    def test_missing_password_is_400(self, compat_stack: AirflowStack) -> None:
        answer = token_call(compat_stack, grant_type="password", username="alice")
        assert answer.status_code == 400 and "password" in answer.json()["msg"]


class TestRefreshGrant:
    def test_refreshes(self, issued: dict, compat_stack: AirflowStack) -> None:
        answer = token_call(compat_stack, grant_type="refresh_token", refresh_token=issued["refresh_token"])
        assert answer.status_code == 200, answer.text
        fresh = answer.json()
        assert fresh["access_token"] != issued["access_token"]
        assert jwt.decode(fresh["access_token"], options={"verify_signature": False})["sub"] == "alice"
        headers = {"Authorization": f"Bearer {fresh['access_token']}"}
        assert (
            httpx.post(
                f"{compat_stack.base_url}/v1/api/workspaces/list", headers=headers, json={}
            ).status_code
            == 200
        )

    def test_an_access_token_is_no_refresh_token(self, issued: dict, compat_stack: AirflowStack) -> None:
        answer = token_call(compat_stack, grant_type="refresh_token", refresh_token=issued["access_token"])
        assert answer.status_code == 401 and "refresh_token" in answer.json()["msg"]

    def test_a_refresh_token_is_no_access_token(self, issued: dict, compat_stack: AirflowStack) -> None:
        headers = {"Authorization": f"Bearer {issued['refresh_token']}"}
        assert (
            httpx.post(
                f"{compat_stack.base_url}/v1/api/workspaces/list", headers=headers, json={}
            ).status_code
            == 401
        )
        assert httpx.get(f"{compat_stack.base_url}/api/v2/dags", headers=headers).status_code in (401, 403)

    def test_a_forged_refresh_token_is_401(self, issued: dict, compat_stack: AirflowStack) -> None:
        claims = jwt.decode(issued["refresh_token"], options={"verify_signature": False})
        forged = jwt.encode(
            {**claims, "sub": "admin", "role": "ADMIN"}, "not-airflows-key-" * 8, algorithm="HS512"
        )
        answer = token_call(compat_stack, grant_type="refresh_token", refresh_token=forged)
        assert answer.status_code == 401


class TestRefused:
    @pytest.mark.parametrize(
        ("form", "status", "needle"),
        [
            pytest.param({"grant_type": "client_credentials"}, 400, "grant_type", id="unsupported-grant"),
            pytest.param({}, 400, "grant_type", id="no-grant"),
        ],
    )
    def test_bad_requests(self, compat_stack: AirflowStack, form: dict, status: int, needle: str) -> None:
        answer = token_call(compat_stack, **form)
        assert answer.status_code == status and needle in answer.json()["msg"]

    def test_unknown_realm_is_404(self, compat_stack: AirflowStack) -> None:
        answer = token_call(
            compat_stack, "/auth/realms/other/protocol/openid-connect/token", grant_type="password"
        )
        assert answer.status_code == 404 and "master" in answer.json()["msg"]

    def test_sso_device_login_says_why_not(self, compat_stack: AirflowStack) -> None:
        answer = token_call(compat_stack, "/auth/realms/master/protocol/openid-connect/auth/device")
        assert answer.status_code == 400 and "device" in answer.json()["msg"]

    def test_airflows_own_auth_paths_are_untouched(self, compat_stack: AirflowStack) -> None:
        answer = httpx.post(
            f"{compat_stack.base_url}/auth/token",
            json={"username": "bob", "password": compat_stack.password("bob")},
        )
        assert answer.status_code == 201 and answer.json()["access_token"]
