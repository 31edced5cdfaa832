"""The ``wallaroo_packaging`` DAG: one run per uploaded orchestration builds its environment.

Runs are triggered by the API with the orchestration in ``conf``; their state is the
orchestration's status (queued: pending_packaging, running: packaging, success: ready,
failed: error), and their log holds the pip output.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, task
from airflow.sdk.exceptions import AirflowFailException

from airflow_wallaroo.core.naming import PACKAGING_DAG_ID, PACKAGING_TASK_ID, PRODUCT_TAG
from airflow_wallaroo.packaging.environments import EnvironmentBuildError, build_environment
from airflow_wallaroo.runners.base import get_runner
from airflow_wallaroo.runners.isolation import venv_interpreter
from airflow_wallaroo.settings import load_settings
from airflow_wallaroo.store.artifacts import open_artifact_store

__all__ = ["PACKAGING_DAG_ID", "build_packaging_dag", "package_orchestration"]

#: Tries after the first when packaging fails for a reason that is not the archive's.
PLATFORM_RETRIES = 2


def package_orchestration(conf: dict[str, Any]) -> dict[str, Any]:
    """The task body: fetch the archive and build (or reuse) the environment of its sha."""
    settings = load_settings()
    store = open_artifact_store(settings.artifact_store)
    sha = conf["sha"]
    local = store.local_path(sha)
    with tempfile.TemporaryDirectory(dir=settings.data_folder) as scratch:
        if local is None:
            local = Path(scratch) / f"{sha}.zip"
            with store.open_archive(sha) as src, local.open("wb") as dst:
                while chunk := src.read(4 * 1024 * 1024):
                    dst.write(chunk)
        try:
            result = build_environment(
                settings.layout.envs,
                sha,
                local,
                conf.get("requirements"),
                log=lambda line: print(line, flush=True),
                wheelhouse=get_runner(settings.runner).needs_wheelhouse,
                python=venv_interpreter(settings),
            )
        except EnvironmentBuildError as failure:
            # The user's requirements do not install: trying again would not help.
            raise AirflowFailException(str(failure)) from failure
    return {"sha": sha, "reused": result.reused, "seconds": round(result.seconds, 3)}


def build_packaging_dag() -> DAG:
    """Build the packaging DAG: no schedule, created unpaused, runs triggered by the API."""
    with DAG(
        dag_id=PACKAGING_DAG_ID,
        schedule=None,
        catchup=False,
        is_paused_upon_creation=False,
        max_active_runs=8,
        tags=[PRODUCT_TAG, "wallaroo:packaging"],
        doc_md=__doc__,
    ) as dag:
        # A failure of the platform (a worker lost, the api-server too slow to start the task)
        # is tried again; the user's own (a requirement that does not install) fails at once.
        @task(
            task_id=PACKAGING_TASK_ID,
            retries=PLATFORM_RETRIES,
            retry_delay=timedelta(seconds=5),
            retry_exponential_backoff=2.0,
        )
        def build_env(**context: Any) -> dict[str, Any]:
            return package_orchestration(dict(context["dag_run"].conf or {}))

        build_env()
    return dag
