"""The Kubernetes runner: each task run is a pod started by KubernetesPodOperator.

The pod's spec is built in ``pod_operator`` (with the provider's own classes); this class
only answers what the rest of the product asks a runner. Pods are watched and deleted by
the operator, so no user process ever lives on the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_wallaroo.core.layout import DataLayout
    from airflow_wallaroo.core.spec import TaskSpec
    from airflow_wallaroo.settings import WallarooSettings


class KubernetesRunner:
    """Runs each task run as a pod (``apache-airflow-providers-cncf-kubernetes``)."""

    name = "kubernetes"
    #: Pods install requirements offline from the wheelhouse packaging keeps on the shared volume.
    needs_wheelhouse = True

    def build_operator(self, spec: TaskSpec, settings: WallarooSettings, *, task_id: str) -> Any:
        from airflow_wallaroo.runners.pod_operator import build_pod_operator

        return build_pod_operator(spec, settings, task_id)

    def image(self, settings: WallarooSettings) -> str:
        return settings.pod.image

    def processes_alive(self, layout: DataLayout, task_id: str) -> bool:
        return False

    def stop_leftovers(self, layout: DataLayout, task_id: str) -> int:
        return 0
