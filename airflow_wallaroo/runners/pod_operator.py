"""The Kubernetes runner's operator: each task run is a pod started by KubernetesPodOperator.

No Kubernetes API call is written here: the provider's operator creates, watches,
streams the logs of and deletes the pod. This module only says what the pod is (image,
environment contract, resources, secrets, deadline, labels) and maps its ending onto
the run statuses the local runner gives: a timeout is ``timed_out``, anything else
that fails is a failure.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from airflow.sdk.exceptions import AirflowTaskTimeout
from kubernetes.client import models as k8s

from airflow_wallaroo.archive_tokens import mint_archive_token
from airflow_wallaroo.core.layout import archive_in
from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEY
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.runners.base import retry_arguments
from airflow_wallaroo.runners.concurrency import skip_if_forbidden
from airflow_wallaroo.runners.webhooks import notifier_callbacks
from airflow_wallaroo.runtime.contract import RUN_ID_ENV, RunIdentity, contract_env
from airflow_wallaroo.runtime.pod import POD_HOME
from airflow_wallaroo.settings import PodSettings, WallarooSettings

POD_COMMAND = ["python", "-m", "airflow_wallaroo.runtime.pod"]
#: The pod's own deadline is a backstop behind Airflow's execution_timeout (which stops
#: the run first and deletes the pod): it outlives a dead worker, with room for the image pull.
POD_DEADLINE_SLACK_SECONDS = 120
ARCHIVE_TOKEN_SECONDS = 600
LABEL_PREFIX = "wallaroo.ai"


def pod_labels(spec: TaskSpec) -> dict[str, str]:
    """Labels that find a task's and a run's pods (``kubectl get pods -l wallaroo.ai/task-id=...``)."""
    return {
        f"{LABEL_PREFIX}/task-id": spec.task_id,
        f"{LABEL_PREFIX}/workspace-id": str(spec.workspace_id),
        f"{LABEL_PREFIX}/orch-sha": spec.orch_sha[:63],
        f"{LABEL_PREFIX}/kind": spec.kind.replace("_", "-"),
    }


def pod_env(spec: TaskSpec, settings: WallarooSettings) -> dict[str, str]:
    """The environment of the pod: the task's own variables, then the contract, which wins."""
    identity = RunIdentity(
        task_id=spec.task_id,
        orch_sha=spec.orch_sha,
        owner_id=spec.owner_id,
        workspace_id=spec.workspace_id,
        api_url=settings.api_url,
    )
    return {
        **spec.extra_env,
        **contract_env(identity),
        "WALLAROO_ENTRYPOINT": spec.entrypoint,
        "WALLAROO_REQUIREMENTS": spec.requirements or "",
        "WALLAROO_TASK_ARGUMENTS": json.dumps(spec.arguments),
        "WALLAROO_ARCHIVE_URL": archive_url(spec, settings),
        "WALLAROO_WHEELHOUSE": wheelhouse_of(spec, settings),
        "WALLAROO_HOME": POD_HOME,
    }


def wheelhouse_of(spec: TaskSpec, settings: WallarooSettings) -> str:
    """The configured wheelhouse, else the one packaging built, when the data volume is mounted."""
    if settings.pod.wheelhouse:
        return settings.pod.wheelhouse
    if settings.pod.data_volume_claim and spec.requirements:
        return str(settings.layout.envs.wheelhouse(spec.orch_sha))
    return ""


def archive_url(spec: TaskSpec, settings: WallarooSettings) -> str:
    """Where the pod fetches the archive: the API (with a token added at run time) or the volume.

    The volume source reads the configured artifact store, which must then be a folder
    on the data volume (checked, with a message naming both options).
    """
    if settings.pod.archive_source == "volume":
        store = Path(settings.artifact_store)
        if "://" in settings.artifact_store or not store.is_relative_to(settings.data_folder):
            raise ValueError(
                f"[wallaroo] pod_archive_source = volume needs artifact_store to be a folder inside "
                f"data_folder ({settings.data_folder}), the path the data volume is mounted at; "
                f"it is {settings.artifact_store!r}"
            )
        return f"file://{archive_in(store, spec.orch_sha)}"
    return f"{settings.api_url}/v1/api/orchestration/download?id={spec.orch_id}"


def pod_operator_arguments(spec: TaskSpec, settings: WallarooSettings) -> dict[str, Any]:
    """Everything KubernetesPodOperator needs for one task's runs; pure, so it is tested alone."""
    pod: PodSettings = settings.pod
    volumes, mounts = _data_volume(pod, settings)
    return {
        "name": f"wallaroo-{spec.task_id[:8]}",
        "image": pod.image,
        "cmds": list(POD_COMMAND),
        "namespace": pod.namespace,
        "service_account_name": pod.service_account or None,
        "env_vars": pod_env(spec, settings),
        "secrets": [Secret("env", None, name) for name in spec.bind_secrets],  # type: ignore[no-untyped-call]
        "labels": pod_labels(spec),
        "container_resources": k8s.V1ResourceRequirements(**pod.resources),
        "node_selector": pod.node_selector or None,
        "tolerations": [k8s.V1Toleration(**t) for t in pod.tolerations] or None,
        "volumes": volumes,
        "volume_mounts": mounts,
        # The strong boundary: never root, no privilege escalation, no capabilities, the
        # runtime's default seccomp profile, and no Kubernetes API token unless configured.
        "security_context": k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=pod.run_as_user,
            run_as_group=pod.run_as_user,
            fs_group=pod.run_as_user,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        "container_security_context": k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
            run_as_non_root=True,
        ),
        "automount_service_account_token": pod.automount_service_account_token,
        "active_deadline_seconds": spec.timeout + POD_DEADLINE_SLACK_SECONDS if spec.timeout else None,
        "execution_timeout": timedelta(seconds=spec.timeout) if spec.timeout else None,
        "in_cluster": pod.in_cluster,
        "kubernetes_conn_id": pod.kubernetes_conn_id,
        "get_logs": True,
        "log_events_on_failure": True,
        "on_finish_action": "delete_pod",
        "on_kill_action": "delete_pod",
        "durable": True,  # a restarted worker reattaches to the running pod instead of starting another
        "do_xcom_push": False,
        **retry_arguments(spec),
        **notifier_callbacks(spec),
    }


def _data_volume(
    pod: PodSettings, settings: WallarooSettings
) -> tuple[list[k8s.V1Volume], list[k8s.V1VolumeMount]]:
    if not pod.data_volume_claim:
        return [], []
    volume = k8s.V1Volume(
        name="wallaroo-data",
        persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
            claim_name=pod.data_volume_claim, read_only=True
        ),
    )
    mount = k8s.V1VolumeMount(name="wallaroo-data", mount_path=str(settings.data_folder), read_only=True)
    return [volume], [mount]


class WallarooPodOperator(KubernetesPodOperator):
    """KubernetesPodOperator for one task run; adds the archive token and the timeout outcome.

    :param spec: the task spec (JSON) the DAG was built from.
    """

    ui_color = "#6f42c1"
    #: The environment and labels carry user data (arguments, env values): never Jinja-render them.
    template_fields = tuple(
        f for f in KubernetesPodOperator.template_fields if f not in ("env_vars", "labels")
    )

    def __init__(self, *, spec: str, archive_source: str = "api", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.archive_source = archive_source

    def prepare_run(self, run_id: str, archive_token: str | None = None) -> None:
        """Add what only the run knows: its id (env and label) and the archive token."""
        env = [e for e in _as_env_list(self.env_vars) if e.name not in RUN_ENV_NAMES]
        env.append(k8s.V1EnvVar(name=RUN_ID_ENV, value=run_id))
        if archive_token is not None:
            env.append(k8s.V1EnvVar(name="WALLAROO_ARCHIVE_TOKEN", value=archive_token))
        self.env_vars = env
        self.labels = {**self.labels, f"{LABEL_PREFIX}/run-id": _label_value(run_id)}

    def execute(self, context: Any) -> Any:
        # Minted per run, valid minutes: no long-lived credential sits in a DAG or a pod spec.
        skip_if_forbidden(TaskSpec.from_json(self.spec), context)
        token = self._archive_token() if self.archive_source == "api" else None
        self.prepare_run(context["run_id"], token)
        try:
            return super().execute(context)
        except AirflowTaskTimeout:
            # Airflow then calls on_kill, which deletes the pod (on_kill_action=delete_pod).
            context["ti"].xcom_push(key=OUTCOME_XCOM_KEY, value="timed_out")
            raise

    def cleanup(
        self,
        pod: k8s.V1Pod,
        remote_pod: k8s.V1Pod,
        xcom_result: dict[str, Any] | None = None,
        context: Any = None,
    ) -> None:
        """A pod stopped by its own deadline (the worker was gone meanwhile) timed out too."""
        if context is not None and remote_pod is not None and pod_deadline_exceeded(remote_pod):
            context["ti"].xcom_push(key=OUTCOME_XCOM_KEY, value="timed_out")
        super().cleanup(pod, remote_pod, xcom_result, context)

    def _archive_token(self) -> str:
        return mint_archive_token(TaskSpec.from_json(self.spec).orch_id, ARCHIVE_TOKEN_SECONDS)


RUN_ENV_NAMES = (RUN_ID_ENV, "WALLAROO_ARCHIVE_TOKEN")


def _label_value(value: str) -> str:
    """A label value: 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in value)[:63]
    return cleaned.strip("-_.")


def pod_deadline_exceeded(remote_pod: k8s.V1Pod) -> bool:
    status = getattr(remote_pod, "status", None)
    return getattr(status, "reason", None) == "DeadlineExceeded"


def _as_env_list(env_vars: Any) -> list[k8s.V1EnvVar]:
    if isinstance(env_vars, dict):
        return [k8s.V1EnvVar(name=k, value=v) for k, v in env_vars.items()]
    return list(env_vars or [])


def build_pod_operator(spec: TaskSpec, settings: WallarooSettings, task_id: str) -> WallarooPodOperator:
    return WallarooPodOperator(
        task_id=task_id,
        spec=spec.to_json(),
        archive_source=settings.pod.archive_source,
        **pod_operator_arguments(spec, settings),
    )
