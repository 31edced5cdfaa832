"""The Airflow plugin: mounts the Wallaroo API at ``/v1`` on the api-server."""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from airflow_wallaroo import listeners as run_listeners
from airflow_wallaroo.api.asgi import LazyApiApp
from airflow_wallaroo.api.auth_alias import KeycloakPathAlias
from airflow_wallaroo.timetables import TIMETABLES
from airflow_wallaroo.ui import EXTERNAL_VIEWS


class WallarooPlugin(AirflowPlugin):
    """Serves ``/v1/api/...`` from Airflow's api-server, with Airflow's own auth."""

    name = "wallaroo"
    # AirflowPlugin declares these as plain class attributes, lists of Any.
    timetables: list[Any] = list(TIMETABLES)  # noqa: RUF012
    listeners: list[Any] = [run_listeners]  # noqa: RUF012
    fastapi_apps: list[Any] = [  # noqa: RUF012
        {"app": LazyApiApp(), "url_prefix": "/v1", "name": "Wallaroo ML Workload Orchestration API"}
    ]
    fastapi_root_middlewares: list[Any] = [  # noqa: RUF012
        {"middleware": KeycloakPathAlias, "name": "Wallaroo SDK token path"}
    ]
    external_views: list[Any] = EXTERNAL_VIEWS
