"""An ASGI app that builds the real one on first request.

Airflow imports plugins in every process (scheduler, dag-processor, task processes),
but only the api-server serves HTTP: building the FastAPI app lazily keeps the
plugin's import cheap everywhere else.
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.types import Receive, Scope, Send


class LazyApiApp:
    """ASGI callable that creates the /v1 FastAPI app on its first request."""

    def __init__(self) -> None:
        self._app: Any = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from airflow_wallaroo.api.app import create_app

                    self._app = create_app()
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
