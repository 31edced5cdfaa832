"""The local runner: user code as a subprocess in the orchestration's cached virtualenv."""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowTaskTimeout

from airflow_wallaroo.runtime.launcher import Launch, LaunchRequest, install_runtime_site

#: The logger whose records are the user's output; the API reads them back by this name.
USER_OUTPUT_LOGGER = "wallaroo.user_output"
OUTCOME_XCOM_KEY = "wallaroo_outcome"


class LocalOrchestrationOperator(BaseOperator):
    """Runs an orchestration's entrypoint for one task run, streaming its output to the task log.

    :param spec: the task spec (JSON) the DAG was built from.
    """

    template_fields = ()
    ui_color = "#6f42c1"

    def __init__(self, *, spec: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self._launch: Launch | None = None

    def execute(self, context: Any) -> int:
        from airflow_wallaroo.packaging.environments import EnvironmentLayout
        from airflow_wallaroo.settings import load_settings
        from dags_factory.spec import TaskSpec

        spec = TaskSpec.from_json(self.spec)
        settings = load_settings()
        layout = EnvironmentLayout(settings.data_folder / "envs")
        if not layout.is_built(spec.orch_sha):
            raise AirflowException(f"the environment of orchestration {spec.orch_id} ({spec.orch_sha}) is not built")
        run_id = context["dag_run"].run_id
        request = LaunchRequest(
            source=layout.source(spec.orch_sha),
            workdir=settings.data_folder / "runs" / spec.task_id / run_id,
            python=str(layout.python(spec.orch_sha)),
            entrypoint=spec.entrypoint,
            arguments=spec.arguments,
            task_id=spec.task_id,
            run_id=run_id,
            orch_sha=spec.orch_sha,
            owner_id=spec.owner_id,
            workspace_id=spec.workspace_id,
            api_url=spec.api_url,
            extra_env=spec.extra_env,
            runtime_site=install_runtime_site(settings.data_folder / "runtime_site"),
        )
        output = logging.getLogger(USER_OUTPUT_LOGGER)
        self._launch = Launch(request)
        process = self._launch.start()
        self.log.info("Started %s (pid %s) in %s", spec.entrypoint, process.pid, request.workdir)
        try:
            code = self._launch.stream(lambda stream, line: output.info("%s %s", stream, line))
        except AirflowTaskTimeout:
            context["ti"].xcom_push(key=OUTCOME_XCOM_KEY, value="timed_out")
            self.log.error("Timed out after %s s: stopping %s", spec.timeout, spec.entrypoint)
            raise
        finally:
            self._launch.kill()
        if code != 0:
            raise AirflowException(f"{spec.entrypoint} exited with code {code}")
        return code

    def on_kill(self) -> None:
        if self._launch is not None:
            self._launch.kill()
