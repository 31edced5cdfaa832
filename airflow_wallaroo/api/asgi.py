"""An ASGI app that builds the real one on first request.

Airflow imports plugins in every process (scheduler, dag-processor, task processes),
but only the api-server serves HTTP: building the FastAPI app lazily keeps the
plugin's import cheap everywhere else.
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
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
        app = self._app
        if app is None:
            # Building it heals the data folder (sweeps, reconcile): off the event loop, so
            # Airflow's own routes in this process (health, the execution API that task
            # processes heartbeat to) keep answering meanwhile, as after a restart under load.
            app = await run_in_threadpool(lambda: self.app)
        await app(scope, receive, send)
