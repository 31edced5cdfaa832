"""Builds the FastAPI app that the plugin mounts at ``/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

import airflow_wallaroo
from airflow_wallaroo.api.deps import current_caller
from airflow_wallaroo.api.errors import register_error_handlers
from airflow_wallaroo.api.graphql import route as graphql
from airflow_wallaroo.api.openapi import errors, install_openapi
from airflow_wallaroo.api.routes import health, orchestrations, platform, sdk_auth, tasks, workspaces
from airflow_wallaroo.settings import load_settings
from airflow_wallaroo.ui.pages import mount_pages
from airflow_wallaroo.usecases.heal import Housekeeper, heal_at_start

ROUTERS = (workspaces.router, orchestrations.router, tasks.router)
#: Under /api too, but each authenticates for itself (or, like the SDK's config, needs none).
OWN_AUTH_ROUTERS = (orchestrations.own_auth_router, platform.router)


def create_app(*, housekeeping: bool = True) -> FastAPI:
    """Create the /v1 app; authentication is a dependency of every route under ``/api``
    but the few in ``OWN_AUTH_ROUTERS``, which check it themselves.

    ``housekeeping``: heal at start and keep a housekeeper thread (the api-server does;
    an in-process test app does not).
    """
    app = FastAPI(
        title="Wallaroo ML Workload Orchestration API",
        version=airflow_wallaroo.__version__,
        description="Served by Apache Airflow. Authenticate with the bearer token from `POST /auth/token`.",
        docs_url=None,  # /docs is mount_pages' own: Swagger UI from local files, not a CDN
        redoc_url=None,
    )
    api = APIRouter(prefix="/api", dependencies=[Depends(current_caller)], responses=errors(400, 401, 403))
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    own_auth = APIRouter(prefix="/api")
    for router in OWN_AUTH_ROUTERS:
        own_auth.include_router(router)
    app.include_router(own_auth)
    app.include_router(health.router)
    app.include_router(graphql.router)  # /v1/graphql, authenticated by its own CallerDep
    app.include_router(sdk_auth.router)  # /v1/auth/realms/...: the SDK's token endpoint, no auth
    mount_pages(app)
    register_error_handlers(app)
    install_openapi(app)
    if housekeeping:
        settings = load_settings()
        heal_at_start(settings)
        Housekeeper(settings).start()
    return app
