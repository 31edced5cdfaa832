"""The Airflow plugin: mounts the Wallaroo API at ``/v1`` on the api-server."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from airflow_wallaroo import listeners as run_listeners
from airflow_wallaroo.api.asgi import LazyApiApp
from airflow_wallaroo.timetables import TIMETABLES
from airflow_wallaroo.ui import EXTERNAL_VIEWS


class WallarooPlugin(AirflowPlugin):
    """Serves ``/v1/api/...`` from Airflow's api-server, with Airflow's own auth."""

    name = "wallaroo"
    timetables = TIMETABLES
    listeners = [run_listeners]
    external_views = EXTERNAL_VIEWS
    fastapi_apps = [{"app": LazyApiApp(), "url_prefix": "/v1", "name": "Wallaroo ML Workload Orchestration API"}]
