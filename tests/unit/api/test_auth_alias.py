"""The root middleware that serves the SDK's Keycloak paths from our ``/v1`` app."""

from __future__ import annotations

import asyncio

import pytest

from airflow_wallaroo.api.auth_alias import KeycloakPathAlias


def seen_path(path: str, root_path: str = "", kind: str = "http") -> tuple[str, bytes | None]:
    seen: dict = {}

    async def app(scope, receive, send) -> None:
        seen.update(scope)

    scope = {"type": kind, "path": path, "raw_path": path.encode(), "root_path": root_path}
    asyncio.run(KeycloakPathAlias(app)(scope, None, None))
    return seen["path"], seen.get("raw_path")


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        pytest.param(
            "/auth/realms/master/protocol/openid-connect/token",
            "",
            "/v1/auth/realms/master/protocol/openid-connect/token",
            id="token",
        ),
        pytest.param(
            "/airflow/auth/realms/master/protocol/openid-connect/token",
            "/airflow",
            "/airflow/v1/auth/realms/master/protocol/openid-connect/token",
            id="under-a-root-path",
        ),
        pytest.param("/auth/token", "", "/auth/token", id="airflows-own-login"),
        pytest.param("/auth/realmsX", "", "/auth/realmsX", id="prefix-only-as-a-folder"),
        pytest.param("/v1/api/workspaces/list", "", "/v1/api/workspaces/list", id="the-api"),
        pytest.param("/api/v2/dags", "", "/api/v2/dags", id="airflows-api"),
    ],
)
def test_only_keycloak_paths_move(path: str, root: str, expected: str) -> None:
    assert seen_path(path, root) == (expected, expected.encode())


def test_websockets_and_lifespan_pass_untouched() -> None:
    assert seen_path("/auth/realms/x", kind="websocket")[0] == "/auth/realms/x"
