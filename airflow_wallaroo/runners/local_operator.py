"""The local runner's operator: runs an orchestration's entrypoint in its cached virtualenv."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowTaskTimeout

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEY, USER_OUTPUT_LOGGER
from airflow_wallaroo.core.permissions import SHARED, TRAVERSE, make_dir
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.core.vocabulary import TaskKind
from airflow_wallaroo.runners import attempts
from airflow_wallaroo.runners.concurrency import skip_if_forbidden
from airflow_wallaroo.runners.isolation import reachable_by_others, run_as_for
from airflow_wallaroo.runners.local import write_pid_file
from airflow_wallaroo.runtime.contract import RunIdentity
from airflow_wallaroo.runtime.launcher import TMP_FOLDER, Launch, LaunchRequest, install_runtime_site
from airflow_wallaroo.settings import WallarooSettings, load_settings

#: Continuous runs that keep failing wait 1, 2, 4... seconds before the user code starts, at most this.
BACKOFF_CAP_SECONDS = 60


def backoff_seconds(consecutive_failures: int) -> float:
    """Exponential backoff for a crash-looping continuous task: 0, 1, 2, 4, ... capped."""
    if consecutive_failures <= 0:
        return 0.0
    return float(min(2 ** (consecutive_failures - 1), BACKOFF_CAP_SECONDS))


def launch_request(spec: TaskSpec, settings: WallarooSettings, run_id: str) -> LaunchRequest:
    """The user code of one run: the orchestration's venv, a fresh working dir, the contract,
    and nothing of the components' environment; as the workspace's own user when isolated."""
    layout = settings.layout
    envs = layout.envs
    workdir = layout.run_workdir(spec.task_id, run_id)
    run_as = run_as_for(spec.workspace_id, settings)
    name = run_as.name if run_as is not None else "wallaroo"
    base_env = {
        "PATH": f"{envs.venv(spec.orch_sha) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir / TMP_FOLDER),
        "USER": name,
        "LOGNAME": name,
        "LANG": "C.UTF-8",
    }
    return LaunchRequest(
        source=envs.source(spec.orch_sha),
        workdir=workdir,
        python=str(envs.python(spec.orch_sha)),
        entrypoint=spec.entrypoint,
        arguments=spec.arguments,
        identity=RunIdentity(
            task_id=spec.task_id,
            orch_sha=spec.orch_sha,
            owner_id=spec.owner_id,
            workspace_id=spec.workspace_id,
            api_url=settings.api_url,
            run_id=run_id,
        ),
        extra_env=spec.extra_env,
        runtime_site=install_runtime_site(make_dir(layout.runtime_site, SHARED)),
        run_as=(run_as.uid, run_as.gid) if run_as is not None else None,
        limits=settings.isolation.limits,
        base_env=base_env,
    )


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
        spec = TaskSpec.from_json(self.spec)
        output = logging.getLogger(USER_OUTPUT_LOGGER)
        if spec.killed:
            # A killed task's DAG allows no run; one created before that took effect stops here.
            raise AirflowFailException(
                f"task {spec.task_id} was killed through the Wallaroo API: it runs no more"
            )
        settings = load_settings()
        layout = settings.layout
        if not layout.envs.is_built(spec.orch_sha):
            raise AirflowException(
                f"the environment of orchestration {spec.orch_id} ({spec.orch_sha}) is not built"
            )
        skip_if_forbidden(spec, context)
        run_id = context["dag_run"].run_id
        try_number = int(context["ti"].try_number or 1)
        make_dir(layout.data_folder, TRAVERSE)
        make_dir(layout.runs, TRAVERSE)
        make_dir(layout.task_runs(spec.task_id), TRAVERSE)
        attempt_file = layout.attempt_file(spec.task_id, run_id)
        interrupted = attempts.begin(attempt_file, try_number, spec.retries)
        if interrupted is not None:
            message = interrupted.message(try_number)
            output.info("%s %s", "stderr", message)
            raise AirflowFailException(message)
        failures_file = layout.failures_file(spec.task_id)
        if spec.kind == TaskKind.RUN_CONTINUOUSLY:
            self._back_off(failures_file)
        request = launch_request(spec, settings, run_id)
        if request.run_as is not None and not reachable_by_others(Path(request.python)):
            raise AirflowFailException(
                f"user code runs as uid {request.run_as[0]}, which cannot reach {request.python}: "
                "every folder above the data folder must be searchable by others (chmod o+x), or set "
                "[wallaroo] run_as_user (see README, Security model)"
            )
        self._launch = Launch(request)
        process = self._launch.start()
        self.log.info("Started %s (pid %s) in %s", spec.entrypoint, process.pid, request.workdir)
        # Lets a kill check, from outside, that the user's process group is really gone.
        pid_file = layout.pid_file(spec.task_id, run_id)
        write_pid_file(pid_file, process.pid)
        try:
            code = self._launch.stream(lambda stream, line: output.info("%s %s", stream, line))
        except AirflowTaskTimeout:
            attempts.end(attempt_file, try_number)
            context["ti"].xcom_push(key=OUTCOME_XCOM_KEY, value="timed_out")
            self.log.error("Timed out after %s s: stopping %s", spec.timeout, spec.entrypoint)
            raise
        finally:
            self._launch.kill()
            pid_file.unlink(missing_ok=True)
        attempts.end(attempt_file, try_number)
        if spec.kind == TaskKind.RUN_CONTINUOUSLY:
            failures_file.write_text(str(0 if code == 0 else _failures(failures_file) + 1))
        if code != 0:
            raise AirflowException(f"{spec.entrypoint} exited with code {code}")
        return code

    def _back_off(self, failures_file: Path) -> None:
        failures = _failures(failures_file)
        delay = backoff_seconds(failures)
        if delay:
            self.log.warning("Backing off %.0f s after %d consecutive failed runs", delay, failures)
            time.sleep(delay)

    def on_kill(self) -> None:
        if self._launch is not None:
            self._launch.kill()


def _failures(failures_file: Path) -> int:
    try:
        return int(failures_file.read_text())
    except (FileNotFoundError, ValueError):
        return 0
