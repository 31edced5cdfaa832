"""Serve the Wallaroo SDK's Keycloak paths, ``/auth/realms/...``, from ``/v1/auth/realms/...``.

The SDK builds its token URL from the API's base URL, so it lands under ``/auth``, which
Airflow reserves for its auth manager (plugins may not mount there). This root middleware
only rewrites that one prefix to our ``/v1`` app; every other request passes untouched.
Imported by the plugin in every process, so it stays stdlib-only.
"""

from __future__ import annotations

from typing import Any

SDK_PREFIX = "/auth/realms/"
OUR_PREFIX = "/v1"


class KeycloakPathAlias:
    """ASGI middleware: ``/auth/realms/<rest>`` becomes ``/v1/auth/realms/<rest>``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path = scope["path"]
            local = path[len(root) :] if root and path.startswith(root) else path
            if local.startswith(SDK_PREFIX):
                path = f"{root}{OUR_PREFIX}{local}"
                scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)
