"""Offline checks of ``helm-values.yaml`` and the manifests in ``docs/kubernetes/deploying.md``.

The Apache Airflow chart's own ``values.schema.json`` is not in this repository and there is
no network here, so these tests cannot validate against it (that was done by hand when the
file was written, against apache/airflow @ 002e5532). They check, as strictly as the machine
allows:

- the file parses and every ``config.wallaroo`` key is an option of ``WALLAROO_OPTIONS``
  with a value of its type (integers parse as integers, booleans as Airflow booleans, JSON
  options as JSON of the right shape);
- runner ``kubernetes``, the FAB auth manager, no example DAGs, external PostgreSQL,
  remote logging;
- the shared volume is mounted at ``data_folder`` in apiServer, dagProcessor, scheduler,
  workers and triggerer, from the claim the task pods also mount;
- every ``extraVolumes``/``extraVolumeMounts`` item, and the pod settings (resources,
  node selector, tolerations), form a valid Kubernetes Pod (``kubernetes_validate``, strict);
- the Role/RoleBinding in the deployment guide validate and grant what the runner needs;
- the Airflow image bakes in as many DAG loader files as ``spec_shards`` says.

Kubernetes versions: the chart's schema carries definitions introduced in Kubernetes 1.29
(ClusterTrustBundleProjection), so we validate against 1.30 and 1.33.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from airflow_wallaroo.get_provider_info import WALLAROO_OPTIONS

ROOT = Path(__file__).resolve().parents[2]
VALUES_FILE = ROOT / "helm-values.yaml"
GUIDE = ROOT / "docs" / "kubernetes" / "deploying.md"
AIRFLOW_DOCKERFILE = ROOT / "docs" / "kubernetes" / "Dockerfile"
K8S_VERSIONS = ["1.30", "1.33"]
COMPONENTS = ["apiServer", "dagProcessor", "scheduler", "workers", "triggerer"]
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
AIRFLOW_BOOLEANS = {"true", "false", "t", "f", "1", "0"}
JSON_SHAPES = {"pod_resources": dict, "pod_node_selector": dict, "pod_tolerations": list}


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    data = yaml.safe_load(VALUES_FILE.read_text())
    assert isinstance(data, dict), "helm-values.yaml must be a mapping"
    return data


@pytest.fixture(scope="module")
def wallaroo(values) -> dict[str, Any]:
    return values["config"]["wallaroo"]


def _pod(spec_extra: dict[str, Any], container_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    container = {"name": "base", "image": "registry.example.com/x:1"}
    container.update(container_extra or {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "check", "namespace": "airflow"},
        "spec": {"containers": [container], **spec_extra},
    }


def _validate(manifest: dict[str, Any], version: str) -> None:
    try:
        kubernetes_validate.validate(manifest, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{manifest['kind']} invalid for Kubernetes {version}: {exc.message}")


def _guide_manifests() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), flags=re.S)
    return [doc for block in blocks for doc in yaml.safe_load_all(block) if doc]


def test_wallaroo_keys_are_known_options(wallaroo):
    unknown = sorted(set(wallaroo) - set(WALLAROO_OPTIONS))
    assert not unknown, f"not [wallaroo] options: {unknown}"


def test_wallaroo_values_have_their_option_types(wallaroo):
    for key, value in wallaroo.items():
        kind = WALLAROO_OPTIONS[key][1]
        assert isinstance(value, str | int | bool), f"{key}: the chart renders scalars only"
        text = str(value)
        if kind == "integer":
            assert re.fullmatch(r"-?\d+", text), f"{key}={text!r} is not an integer"
        elif kind == "boolean":
            assert text.lower() in AIRFLOW_BOOLEANS, f"{key}={text!r} is not an Airflow boolean"
        if key in JSON_SHAPES:
            parsed = json.loads(text)
            assert isinstance(parsed, JSON_SHAPES[key]), f"{key} must be a JSON {JSON_SHAPES[key].__name__}"
    assert set(json.loads(wallaroo.get("pod_resources", "{}"))) <= {"requests", "limits"}


def test_runner_auth_manager_and_examples(values, wallaroo):
    assert wallaroo["runner"] == "kubernetes"
    assert values["config"]["core"]["auth_manager"] == FAB
    assert values["config"]["core"]["load_examples"] == "False"


def test_image_is_the_custom_one(values):
    image = values["images"]["airflow"]
    assert image["repository"] and image["repository"] != "apache/airflow"
    assert image["tag"]
    # `airflow db migrate` must run our DB manager, so migrations use our image.
    assert values["images"].get("useDefaultImageForMigration", False) is False


def test_metadata_db_and_remote_logging(values):
    assert values["postgresql"]["enabled"] is False
    assert values["data"]["metadataSecretName"]
    logging = values["config"]["logging"]
    assert logging["remote_logging"] == "True"
    assert re.match(r"^(s3|gs|wasb)://", logging["remote_base_log_folder"])
    assert logging["remote_log_conn_id"]


def test_shared_volume_is_mounted_at_data_folder_everywhere(values, wallaroo):
    claim = wallaroo["pod_data_volume_claim"]
    assert claim, "pods mount the data volume, so a claim must be named"
    for component in COMPONENTS:
        section = values.get(component) or {}
        names = {
            volume["name"]
            for volume in section.get("extraVolumes", [])
            if (volume.get("persistentVolumeClaim") or {}).get("claimName") == claim
        }
        assert names, f"{component} has no volume from claim {claim!r}"
        paths = {m["mountPath"] for m in section.get("extraVolumeMounts", []) if m["name"] in names}
        assert paths == {wallaroo["data_folder"]}, f"{component} mounts {claim!r} at {paths}"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("component", COMPONENTS)
def test_extra_volumes_and_mounts_are_valid_kubernetes(values, component, version):
    section = values.get(component) or {}
    pod = _pod(
        {"volumes": section.get("extraVolumes", [])},
        {"volumeMounts": section.get("extraVolumeMounts", [])},
    )
    _validate(pod, version)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_task_pod_settings_are_valid_kubernetes(wallaroo, version):
    pod = _pod(
        {
            "nodeSelector": json.loads(wallaroo.get("pod_node_selector", "{}")),
            "tolerations": json.loads(wallaroo.get("pod_tolerations", "[]")),
        },
        {"resources": json.loads(wallaroo.get("pod_resources", "{}"))},
    )
    _validate(pod, version)


def test_executor_gets_the_charts_pod_launcher_role(values, wallaroo):
    # The chart binds its pod-launcher Role (release namespace) to the workers' service
    # account for these executors; pods elsewhere need the guide's Role/RoleBinding.
    assert values["rbac"]["create"] is True
    assert values.get("allowPodLaunching", True) is True
    assert values["executor"] in {"KubernetesExecutor", "CeleryExecutor"}
    if wallaroo["pod_namespace"] != "{{ .Release.Namespace }}":
        namespaces = {m["metadata"].get("namespace") for m in _guide_manifests() if m["kind"] == "Role"}
        assert wallaroo["pod_namespace"] in namespaces


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_guide_rbac_manifests_are_valid_and_sufficient(version):
    manifests = [m for m in _guide_manifests() if m["kind"] in {"Role", "RoleBinding"}]
    roles = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Role"}
    bindings = [m for m in manifests if m["kind"] == "RoleBinding"]
    assert roles and bindings
    for manifest in manifests:
        _validate(manifest, version)
    for binding in bindings:
        role = roles[binding["roleRef"]["name"]]
        assert role["metadata"]["namespace"] == binding["metadata"]["namespace"]
        granted: dict[str, set[str]] = {}
        for rule in role["rules"]:
            if "" in rule["apiGroups"]:
                for resource in rule["resources"]:
                    granted.setdefault(resource, set()).update(rule["verbs"])
        assert {"create", "get", "list", "watch", "delete"} <= granted.get("pods", set())
        assert "get" in granted.get("pods/log", set())
        assert "list" in granted.get("events", set())


def test_image_bakes_as_many_loaders_as_spec_shards(wallaroo):
    from airflow_wallaroo.core.dag_files import install_dag_files

    dockerfile = AIRFLOW_DOCKERFILE.read_text()
    assert re.search(r"airflow-wallaroo install-dags /opt/airflow/dags\b", dockerfile)
    default_shards = install_dag_files.__defaults__[0]
    assert int(wallaroo.get("spec_shards", WALLAROO_OPTIONS["spec_shards"][0])) == default_shards


CELERY_OVERLAY = ROOT / "docs" / "kubernetes" / "helm-values-celery.yaml"


def _helm_merge(base: Any, overlay: Any) -> Any:
    """Helm's merge of a later values file: maps merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _helm_merge(base.get(key), value) if key in base else value
        return merged
    return overlay


@pytest.fixture(scope="module")
def celery_values(values) -> dict[str, Any]:
    overlay = yaml.safe_load(CELERY_OVERLAY.read_text())
    assert isinstance(overlay, dict)
    return _helm_merge(values, overlay)


def test_celery_variant_is_celery_with_a_broker_and_several_workers(celery_values):
    assert celery_values["executor"] == "CeleryExecutor"
    redis, data = celery_values["redis"], celery_values["data"]
    # CeleryExecutor needs the chart's Redis or a broker URL Secret.
    assert redis["enabled"] is True or data.get("brokerUrlSecretName")
    assert celery_values["workers"]["replicas"] >= 2
    assert int(celery_values["config"]["api"]["workers"]) >= 2
    assert int(celery_values["config"]["celery"]["worker_concurrency"]) >= 1


def test_celery_variant_keeps_the_base_deployment(values, celery_values):
    # Layering replaces nothing it does not name: the shared volume, the runner and the
    # database stay as in helm-values.yaml.
    assert celery_values["config"]["wallaroo"] == values["config"]["wallaroo"]
    assert celery_values["data"]["metadataSecretName"] == values["data"]["metadataSecretName"]
    assert celery_values["workers"]["extraVolumes"] == values["workers"]["extraVolumes"]
    assert celery_values["workers"]["serviceAccount"]["create"] is True
    wallaroo = celery_values["config"]["wallaroo"]
    test_shared_volume_is_mounted_at_data_folder_everywhere(celery_values, wallaroo)
    test_executor_gets_the_charts_pod_launcher_role(celery_values, wallaroo)
