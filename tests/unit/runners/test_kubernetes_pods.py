"""The pods KubernetesPodOperator would send, built by the operator itself and validated
against the Kubernetes API schema; and the operator's kill, timeout and deadline paths.

No cluster runs here: ``build_pod_request_obj(dry_run=True)`` is the provider's own way to
build a pod without one. Where the operator would call the Kubernetes API (pod deletion),
a recording client stands in for the cluster, and the test checks the call it received.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import kubernetes_validate
import pytest
from airflow.sdk.exceptions import AirflowException, AirflowTaskTimeout
from kubernetes.client import ApiClient
from kubernetes.client import models as k8s

from airflow_wallaroo.archive_tokens import verify_archive_token
from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEY, RUN_TASK_ID
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.exceptions import NotAuthenticatedError
from airflow_wallaroo.runners.base import get_runner
from airflow_wallaroo.runners.pod_operator import (
    POD_COMMAND,
    POD_DEADLINE_SLACK_SECONDS,
    WallarooPodOperator,
)
from airflow_wallaroo.settings import load_settings
from dags_factory.builder import build_task_dag

#: The Kubernetes version the official chart of Airflow 3.3 targets (its kubeVersion >=1.30).
KUBERNETES_VERSION = "1.33"
RUN_ID = "scheduled__2026-11-27T10:00:00+00:00"
ARGUMENTS = {"model": "m1", "template": "{{ not rendered }}", "nested": {"k": [1, 2]}}


def make_spec(kind: str, *, timeout: int | None = 30) -> TaskSpec:
    return TaskSpec(
        task_id=str(uuid.uuid4()),
        kind=kind,
        name="nightly",
        workspace_id=4,
        owner_id="42",
        orch_id=str(uuid.uuid4()),
        orch_sha="ab" * 32,
        orch_name="hello",
        entrypoint="app/main.py",
        arguments=ARGUMENTS,
        first_run_id=str(uuid.uuid4()),
        created_at="2026-11-27T00:00:00+00:00",
        schedule="*/5 * * * *" if kind == "run_scheduled" else None,
        timeout=timeout,
        extra_env={"MODEL_BUCKET": "s3://models", "WALLAROO_TASK_ID": "overridden?"},
        requirements="requirements.txt",
        bind_secrets=["db-credentials", "s3-keys"],
    )


@pytest.fixture(autouse=True)
def kubernetes_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__RUNNER", "kubernetes")
    monkeypatch.setenv("AIRFLOW__WALLAROO__API_URL", "http://airflow-api-server:8080")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_IMAGE", "registry.example.com/wallaroo-runtime:1.2.3")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_NAMESPACE", "wallaroo-tasks")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_SERVICE_ACCOUNT", "wallaroo-task-runner")
    monkeypatch.setenv(
        "AIRFLOW__WALLAROO__POD_RESOURCES",
        '{"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}',
    )
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_NODE_SELECTOR", '{"workload": "ml"}')
    monkeypatch.setenv(
        "AIRFLOW__WALLAROO__POD_TOLERATIONS", '[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]'
    )
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "unit-test-secret-" + "x" * 64)


def operator_for(spec: TaskSpec) -> WallarooPodOperator:
    dag = build_task_dag(spec)
    operator = dag.get_task(RUN_TASK_ID)
    assert isinstance(operator, WallarooPodOperator)
    return operator


def pod_manifest(spec: TaskSpec, token: str | None = "archive-token") -> dict[str, Any]:
    operator = operator_for(spec)
    operator.prepare_run(RUN_ID, token)
    pod = operator.build_pod_request_obj(dry_run=True)
    return ApiClient().sanitize_for_serialization(pod)


def env_of(manifest: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in manifest["spec"]["containers"][0]["env"]}


@pytest.mark.parametrize("kind", ["run_once", "run_scheduled", "run_continuously"])
class TestPodOfEachKind:
    def test_validates_against_the_kubernetes_schema(self, kind: str) -> None:
        manifest = pod_manifest(make_spec(kind))
        assert kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION

    def test_environment_contract(self, kind: str) -> None:
        spec = make_spec(kind)
        env = env_of(pod_manifest(spec))
        assert env["WALLAROO_TASK_ID"] == spec.task_id  # the contract wins over extra_env
        assert env["TASK_ID"] == spec.task_id
        assert env["WALLAROO_TASK_RUN_ID"] == RUN_ID
        assert env["ORCH_SHA"] == spec.orch_sha
        assert env["ORCH_OWNER_ID"] == "42"
        assert env["WALLAROO_WORKSPACE_ID"] == "4"
        assert env["WALLAROO_API_URL"] == "http://airflow-api-server:8080"
        assert env["MODEL_BUCKET"] == "s3://models"
        assert env["WALLAROO_HOME"] == "/home/jovyan"
        assert env["WALLAROO_ENTRYPOINT"] == "app/main.py"
        assert env["WALLAROO_REQUIREMENTS"] == "requirements.txt"
        assert env["WALLAROO_ARCHIVE_URL"] == (
            f"http://airflow-api-server:8080/v1/api/orchestration/download?id={spec.orch_id}"
        )
        assert env["WALLAROO_ARCHIVE_TOKEN"] == "archive-token"

    def test_arguments_reach_the_pod_unrendered(self, kind: str) -> None:
        env = env_of(pod_manifest(make_spec(kind)))
        assert json.loads(env["WALLAROO_TASK_ARGUMENTS"]) == ARGUMENTS

    def test_command_image_and_placement(self, kind: str) -> None:
        pod = pod_manifest(make_spec(kind))
        container = pod["spec"]["containers"][0]
        assert container["command"] == POD_COMMAND
        assert container["image"] == "registry.example.com/wallaroo-runtime:1.2.3"
        assert container["resources"] == {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "2", "memory": "4Gi"},
        }
        assert pod["metadata"]["namespace"] == "wallaroo-tasks"
        assert pod["spec"]["serviceAccountName"] == "wallaroo-task-runner"
        assert pod["spec"]["nodeSelector"] == {"workload": "ml"}
        assert pod["spec"]["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
        assert pod["spec"]["restartPolicy"] == "Never"

    def test_secrets_are_bound_as_environment(self, kind: str) -> None:
        container = pod_manifest(make_spec(kind))["spec"]["containers"][0]
        assert [source["secretRef"]["name"] for source in container["envFrom"]] == [
            "db-credentials",
            "s3-keys",
        ]

    def test_labels_identify_task_and_run(self, kind: str) -> None:
        spec = make_spec(kind)
        labels = pod_manifest(spec)["metadata"]["labels"]
        assert labels["wallaroo.ai/task-id"] == spec.task_id
        assert labels["wallaroo.ai/run-id"] == "scheduled__2026-11-27T10-00-00-00-00"
        assert labels["wallaroo.ai/workspace-id"] == "4"
        assert labels["wallaroo.ai/kind"] == kind.replace("_", "-")

    def test_deadline_follows_the_timeout(self, kind: str) -> None:
        spec = make_spec(kind, timeout=45)
        assert pod_manifest(spec)["spec"]["activeDeadlineSeconds"] == 45 + POD_DEADLINE_SLACK_SECONDS
        operator = operator_for(spec)
        assert operator.execution_timeout is not None and operator.execution_timeout.total_seconds() == 45

    def test_no_timeout_no_deadline(self, kind: str) -> None:
        spec = make_spec(kind, timeout=None)
        assert "activeDeadlineSeconds" not in pod_manifest(spec)["spec"]
        assert operator_for(spec).execution_timeout is None

    def test_pods_never_outlive_their_run(self, kind: str) -> None:
        operator = operator_for(make_spec(kind))
        assert operator.get_logs is True
        assert operator.on_finish_action.value == "delete_pod"
        assert operator.on_kill_action.value == "delete_pod"

    def test_user_code_runs_unprivileged(self, kind: str) -> None:
        pod = pod_manifest(make_spec(kind))["spec"]
        assert pod["securityContext"] == {
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "runAsGroup": 1000,
            "fsGroup": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        assert pod["containers"][0]["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
        }
        assert pod["automountServiceAccountToken"] is False


def test_the_service_account_token_is_mounted_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_AUTOMOUNT_SERVICE_ACCOUNT_TOKEN", "True")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_RUN_AS_USER", "4242")
    pod = pod_manifest(make_spec("run_once"))["spec"]
    assert pod["automountServiceAccountToken"] is True
    assert pod["securityContext"]["runAsUser"] == 4242


def test_pods_can_not_be_configured_to_run_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_RUN_AS_USER", "0")
    with pytest.raises(ValueError, match="pod_run_as_user must be a non-root uid"):
        operator_for(make_spec("run_once"))


def test_the_schema_check_has_teeth() -> None:
    manifest = pod_manifest(make_spec("run_once"))
    del manifest["spec"]["containers"][0]["name"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_data_volume_mounted_read_only_for_volume_archives(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__DATA_FOLDER", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_ARCHIVE_SOURCE", "volume")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_DATA_VOLUME_CLAIM", "wallaroo-data")
    spec = make_spec("run_once")
    manifest = pod_manifest(spec, token=None)
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert manifest["spec"]["volumes"] == [
        {"name": "wallaroo-data", "persistentVolumeClaim": {"claimName": "wallaroo-data", "readOnly": True}}
    ]
    mount = manifest["spec"]["containers"][0]["volumeMounts"][0]
    assert mount == {"name": "wallaroo-data", "mountPath": str(tmp_path), "readOnly": True}
    env = env_of(manifest)
    assert env["WALLAROO_ARCHIVE_URL"] == f"file://{tmp_path}/artifacts/archives/{spec.orch_sha}.zip"
    assert "WALLAROO_ARCHIVE_TOKEN" not in env
    # Packaging's wheelhouse is on that volume: pods install from it, not from the index.
    assert env["WALLAROO_WHEELHOUSE"] == f"{tmp_path}/envs/{spec.orch_sha}/wheelhouse"


def test_volume_archives_come_from_the_configured_artifact_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """Bug: the volume source built ``data_folder/artifacts`` and ignored ``artifact_store``."""
    monkeypatch.setenv("AIRFLOW__WALLAROO__DATA_FOLDER", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__WALLAROO__ARTIFACT_STORE", str(tmp_path / "store-on-the-volume"))
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_ARCHIVE_SOURCE", "volume")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_DATA_VOLUME_CLAIM", "wallaroo-data")
    spec = make_spec("run_once")
    env = env_of(pod_manifest(spec, token=None))
    assert (
        env["WALLAROO_ARCHIVE_URL"] == f"file://{tmp_path}/store-on-the-volume/archives/{spec.orch_sha}.zip"
    )


@pytest.mark.parametrize("store", ["s3://bucket/prefix", "/somewhere/off/the/volume"])
def test_volume_archives_need_a_store_on_the_volume(
    monkeypatch: pytest.MonkeyPatch, tmp_path, store: str
) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__DATA_FOLDER", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__WALLAROO__ARTIFACT_STORE", store)
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_ARCHIVE_SOURCE", "volume")
    with pytest.raises(ValueError, match="pod_archive_source = volume needs artifact_store"):
        operator_for(make_spec("run_once"))


def test_the_image_reported_is_the_pod_image() -> None:
    """Bug: ``image`` and ``image_path`` reported the runner's name, ``kubernetes``."""
    assert get_runner("kubernetes").image(load_settings()) == "registry.example.com/wallaroo-runtime:1.2.3"
    assert get_runner("local").image(load_settings()) == "local"


class Recorder:
    """Stands in for the Kubernetes client: records each call, returns what it is told to."""

    def __init__(self, **returns: Any) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.returns = returns

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, {"args": args, **kwargs}))
            return self.returns.get(name)

        return record

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class FakeTaskInstance:
    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


def running_pod(operator: WallarooPodOperator) -> k8s.V1Pod:
    operator.prepare_run(RUN_ID, "token")
    return operator.build_pod_request_obj(dry_run=True)


def test_kill_deletes_the_pod() -> None:
    operator = operator_for(make_spec("run_continuously"))
    operator.pod = running_pod(operator)
    operator.client = Recorder()  # type: ignore[assignment]
    operator.on_kill()
    assert operator.client.calls == [
        (
            "delete_namespaced_pod",
            {"args": (), "name": operator.pod.metadata.name, "namespace": "wallaroo-tasks"},
        )
    ]


def test_timeout_is_timed_out_then_airflow_kills_the_pod() -> None:
    """Airflow raises AirflowTaskTimeout in execute, then calls on_kill (task_runner), which deletes."""
    operator = operator_for(make_spec("run_scheduled", timeout=5))
    ti = FakeTaskInstance()

    def pod_still_running(context: Any) -> None:
        operator.pod = running_pod(operator)
        raise AirflowTaskTimeout("Timeout, PID: 1")

    operator.execute_sync = pod_still_running  # type: ignore[method-assign]
    with pytest.raises(AirflowTaskTimeout):
        operator.execute({"ti": ti, "run_id": RUN_ID})
    assert ti.xcom == {OUTCOME_XCOM_KEY: "timed_out"}
    operator.client = Recorder()  # type: ignore[assignment]
    operator.on_kill()
    assert operator.client.names() == ["delete_namespaced_pod"]


def test_each_run_gets_an_archive_token_for_its_orchestration_only() -> None:
    spec = make_spec("run_once")
    operator = operator_for(spec)
    operator.execute_sync = lambda context: None  # type: ignore[method-assign]
    operator.execute({"ti": FakeTaskInstance(), "run_id": RUN_ID})
    env = {e.name: e.value for e in operator.env_vars}
    asyncio.run(verify_archive_token(env["WALLAROO_ARCHIVE_TOKEN"], spec.orch_id))
    with pytest.raises(NotAuthenticatedError):
        asyncio.run(verify_archive_token(env["WALLAROO_ARCHIVE_TOKEN"], str(uuid.uuid4())))


def finished_pod(
    operator: WallarooPodOperator, phase: str, reason: str | None = None, exit_code: int = 0
) -> k8s.V1Pod:
    pod = running_pod(operator)
    pod.status = k8s.V1PodStatus(
        phase=phase,
        reason=reason,
        container_statuses=[
            k8s.V1ContainerStatus(
                name="base",
                image="i",
                image_id="",
                ready=False,
                restart_count=0,
                state=k8s.V1ContainerState(terminated=k8s.V1ContainerStateTerminated(exit_code=exit_code)),
            )
        ],
    )
    return pod


@pytest.mark.parametrize(
    ("phase", "reason", "exit_code", "fails", "outcome"),
    [
        ("Succeeded", None, 0, False, None),
        ("Failed", None, 3, True, None),
        ("Failed", "DeadlineExceeded", 137, True, "timed_out"),
    ],
)
def test_pod_ending_maps_to_run_status_and_deletes_the_pod(phase, reason, exit_code, fails, outcome) -> None:
    operator = operator_for(make_spec("run_scheduled"))
    remote = finished_pod(operator, phase, reason, exit_code)
    operator.client = Recorder()  # type: ignore[assignment]
    operator.pod_manager = Recorder(read_pod=remote, read_pod_events=k8s.CoreV1EventList(items=[]))  # type: ignore[assignment]
    ti = FakeTaskInstance()
    if fails:
        with pytest.raises(AirflowException, match="returned a failure"):
            operator.cleanup(remote, remote, context={"ti": ti})
    else:
        operator.cleanup(remote, remote, context={"ti": ti})
    assert ti.xcom.get(OUTCOME_XCOM_KEY) == outcome
    assert "delete_pod" in operator.pod_manager.names()
