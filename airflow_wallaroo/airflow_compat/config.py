"""Airflow's configuration: reads of any section, AIRFLOW_HOME, the DAG folder and its bundle."""

from __future__ import annotations

import json
import os
from pathlib import Path

from airflow.configuration import AIRFLOW_HOME, conf

#: Airflow's default bundle: the DAG folder.
DEFAULT_BUNDLE = "dags-folder"
_LOCAL_BUNDLE_CLASS = "airflow.dag_processing.bundles.local.LocalDagBundle"


def config_get(section: str, option: str, fallback: str = "") -> str:
    """One option's value as a string; ``fallback`` when it is unset or empty."""
    return conf.get(section, option, fallback=fallback) or fallback


def airflow_home() -> Path:
    """AIRFLOW_HOME as Airflow itself resolves it."""
    return Path(os.path.expanduser(AIRFLOW_HOME))


def dags_folder() -> Path:
    return Path(config_get("core", "dags_folder"))


def dags_folder_bundle() -> str:
    """The name of the bundle that serves ``[core] dags_folder`` (where our loader files are)."""
    raw = config_get("dag_processor", "dag_bundle_config_list")
    try:
        bundles = json.loads(raw) if raw else []
    except json.JSONDecodeError:
        return DEFAULT_BUNDLE
    folder = dags_folder()
    for bundle in bundles if isinstance(bundles, list) else []:
        if not isinstance(bundle, dict) or bundle.get("classpath") != _LOCAL_BUNDLE_CLASS:
            continue
        path = (bundle.get("kwargs") or {}).get("path")
        if path is None or Path(path) == folder:
            return str(bundle.get("name") or DEFAULT_BUNDLE)
    return DEFAULT_BUNDLE


def api_base_url() -> str:
    """The api-server's URL as Airflow's own components reach it; never empty.

    ``[api] base_url``, else the execution API's URL without its ``/execution/`` path
    (every worker needs that one to run at all), else Airflow's own default.
    """
    base = config_get("api", "base_url")
    if base:
        return base.rstrip("/")
    execution = config_get("core", "execution_api_server_url")
    if execution:
        return execution.rstrip("/").removesuffix("/execution")
    return "http://localhost:8080"
