"""Provider metadata, found by Airflow through the ``apache_airflow_provider`` entry point.

It declares the ``[wallaroo]`` config section (so ``airflow config list`` shows it with
its defaults) and our DB manager (so ``airflow db migrate`` creates and upgrades our
tables). It must stay import-light: Airflow calls it in every process.
"""

from __future__ import annotations

from typing import Any

#: The ``[wallaroo]`` options: name -> (default, type, description). One table, read by
#: the provider info below and by ``airflow_wallaroo.settings``.
WALLAROO_OPTIONS: dict[str, tuple[str, str, str]] = {
    "runner": (
        "local",
        "string",
        "Where task runs execute: ``local`` (a subprocess in the orchestration's cached "
        "virtualenv) or ``kubernetes`` (a pod through KubernetesPodOperator).",
    ),
    "data_folder": (
        "",
        "string",
        "Folder for the artifact store, built environments and task specs when their own "
        "options are empty. Empty means ``{AIRFLOW_HOME}/wallaroo``.",
    ),
    "artifact_store": (
        "",
        "string",
        "Where orchestration archives are stored: a local folder, or an object-storage URL "
        "(``s3://bucket/prefix``) read through Airflow's ObjectStoragePath. Empty means "
        "``{data_folder}/artifacts``.",
    ),
    "spec_folder": (
        "",
        "string",
        "Folder of the task specs that dags_factory turns into DAGs; the dag-processor must "
        "read it. Empty means ``{data_folder}/specs``.",
    ),
    "spec_shards": (
        "64",
        "integer",
        "Number of DAG-folder loader files that task specs are spread over; each is parsed alone.",
    ),
    "api_url": (
        "",
        "string",
        "Base URL that user code uses to call back the API. Empty means the api-server's "
        "own ``[api] base_url``.",
    ),
    "max_archive_bytes": ("2147483648", "integer", "Largest accepted upload, in bytes (413 beyond)."),
    "max_archive_entries": ("10000", "integer", "Most entries accepted in one archive."),
    "max_concurrent_uploads": (
        "8",
        "integer",
        "Most uploads one api-server process receives at once; more answer 429 with "
        "``Retry-After``. Counted per process: with N api-server workers the bound is N times "
        "this. ``0`` turns the bound off.",
    ),
    "max_uncompressed_bytes": (
        "8589934592",
        "integer",
        "Largest accepted total uncompressed size of an archive, in bytes.",
    ),
    "max_compression_ratio": (
        "200",
        "integer",
        "Largest accepted ratio of uncompressed to compressed size, per entry and overall.",
    ),
    "min_free_bytes": (
        "104857600",
        "integer",
        "Free space the artifact store must keep after an upload; less answers 507.",
    ),
    "pod_image": (
        "ghcr.io/airflow-wallaroo/runtime:0.1.0",
        "string",
        "Image of task-run pods (runner ``kubernetes``): Python 3.11 with airflow-wallaroo's "
        "stdlib-only runtime, built from ``docs/kubernetes/runtime.Dockerfile``.",
    ),
    "pod_namespace": ("default", "string", "Namespace that task-run pods are created in."),
    "pod_service_account": (
        "",
        "string",
        "Service account of task-run pods; empty means the namespace's default.",
    ),
    "pod_resources": (
        '{"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "4Gi"}}',
        "string",
        "Container resources of task-run pods, as JSON ``{requests, limits}``.",
    ),
    "pod_node_selector": ("{}", "string", "Node selector of task-run pods, as a JSON object."),
    "pod_tolerations": (
        "[]",
        "string",
        "Tolerations of task-run pods, as a JSON list of Kubernetes tolerations.",
    ),
    "pod_in_cluster": (
        "True",
        "boolean",
        "Create pods with the worker's in-cluster credentials; ``False`` uses ``kubernetes_conn_id``.",
    ),
    "kubernetes_conn_id": (
        "kubernetes_default",
        "string",
        "Airflow connection used when ``pod_in_cluster`` is false.",
    ),
    "pod_archive_source": (
        "api",
        "string",
        "How a pod fetches its archive: ``api`` (``orchestration/download`` with a short-lived "
        "token) or ``volume`` (the artifact store read from ``pod_data_volume_claim``).",
    ),
    "pod_data_volume_claim": (
        "",
        "string",
        "PersistentVolumeClaim holding ``data_folder`` (artifacts, wheelhouse), mounted read-only "
        "into pods at the same path. Empty mounts nothing.",
    ),
    "pod_wheelhouse": (
        "",
        "string",
        "Folder, inside the pod, of pre-built wheels; when set, requirements install with "
        "``--no-index --find-links`` from it instead of from the package index.",
    ),
    "list_page_size": (
        "100",
        "integer",
        "How many items a list endpoint answers when the request names no ``limit``.",
    ),
    "list_page_max": (
        "1000",
        "integer",
        "The largest ``limit`` a list endpoint accepts; a larger one is a 400.",
    ),
    "default_workspace_name": (
        "{user} - Default Workspace",
        "string",
        "Name of the workspace a user's first call creates; ``{user}`` is their user name.",
    ),
    "run_as_user": (
        "",
        "string",
        "Who user code runs as with the local runner. Empty: when the components run as root, "
        "each workspace's runs get a uid of their own (``run_uid_base`` + workspace id), with no "
        "access to the platform's files or other workspaces'; otherwise the components' own user "
        "(a warning says so at start). A user name or uid: every run as that user. ``none``: never switch.",
    ),
    "run_uid_base": (
        "100000000",
        "integer",
        "First uid (and gid) of the per-workspace users of ``run_as_user`` left empty; the range "
        "must hold no real account.",
    ),
    "run_limits": (
        '{"memory_bytes": 8589934592, "open_files": 4096, "processes": 1024}',
        "string",
        "Resource limits of each run's user code (local runner), as JSON: ``memory_bytes`` "
        "(address space), ``open_files``, ``processes`` (per uid: per workspace), ``cpu_seconds``. "
        "A missing key is not limited.",
    ),
    "venv_python": (
        "",
        "string",
        "Interpreter that orchestration virtualenvs are built from. Empty: the components' own, "
        "or, when run users cannot execute it (it lives under /root), a same-version python3 "
        "from /usr/local/bin or /usr/bin.",
    ),
    "pod_run_as_user": (
        "1000",
        "integer",
        "uid that task-run pods run as (the runtime image's ``jovyan``); pods never run as root.",
    ),
    "pod_automount_service_account_token": (
        "False",
        "boolean",
        "Mount the service account's API token into task-run pods; off unless user code must call "
        "the Kubernetes API.",
    ),
}


def get_provider_info() -> dict[str, Any]:
    """Return the provider metadata that Airflow's ProvidersManager validates and loads."""
    return {
        "package-name": "airflow-wallaroo",
        "name": "Wallaroo",
        "description": "Wallaroo's ML Workload Orchestration API on Apache Airflow.",
        "db-managers": ["airflow_wallaroo.store.db_manager.WallarooDBManager"],
        "config": {
            "wallaroo": {
                "description": "Settings of the airflow-wallaroo plugin and its /v1/api.",
                "options": {
                    name: {
                        "description": description,
                        "version_added": "0.1.0",
                        "type": kind,
                        "example": None,
                        # Airflow runs str.format over defaults: braces of JSON values must be doubled.
                        "default": default.replace("{", "{{").replace("}", "}}"),
                    }
                    for name, (default, kind, description) in WALLAROO_OPTIONS.items()
                },
            }
        },
    }
