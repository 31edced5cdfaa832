"""Bodies of the ``task/*`` endpoints: every contract field present, null where it does not apply."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from airflow_wallaroo.api.models import RequestBody, ResponseBody, Timestamp
from airflow_wallaroo.core.bounds import (
    MAX_ENV_VALUE_CHARS,
    MAX_ENV_VARS,
    MAX_NAME_CHARS,
    MAX_SECRETS,
    Flag,
    Id,
    Instant,
    Int64,
    JsonArguments,
    Name,
    PositiveCount,
    RunLimit,
    Text,
    TimeoutSeconds,
)
from airflow_wallaroo.runtime.contract import RESERVED_NAMES, RESERVED_PREFIXES
from airflow_wallaroo.services.task_status import TaskRun
from airflow_wallaroo.services.tasks import Task

RUN_TYPES = {"run_once": "Oneshot", "run_scheduled": "CronJob", "run_continuously": "NetworkService"}
FLAVORS = {
    "run_once": "exec_orch_oneshot",
    "run_scheduled": "exec_orch_cron",
    "run_continuously": "exec_orch_network_service",
}


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


#: What ``services.tasks.validate_env_vars`` accepts, as the OpenAPI document says it (ECMA regex).
ENV_NAME_PATTERN = (
    f"^(?!(?:{'|'.join(_any_case(p) for p in RESERVED_PREFIXES)}))"
    f"(?!(?:{'|'.join(_any_case(n) for n in sorted(RESERVED_NAMES))})$)"
    "[A-Za-z_][A-Za-z0-9_]*$"
)
#: A Kubernetes Secret's name (DNS-1123 subdomain), as ``services.tasks.validate_secret_names`` checks it.
SECRET_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

EnvName = Annotated[Text, Field(max_length=MAX_NAME_CHARS)]
EnvValue = Annotated[Text, Field(max_length=MAX_ENV_VALUE_CHARS)]
SecretName = Annotated[str, Field(max_length=253, json_schema_extra={"pattern": SECRET_NAME_PATTERN})]


class RunOnceRequest(RequestBody):
    workspace_id: Int64
    orch_id: Id
    name: Name | None = None
    timeout: TimeoutSeconds | None = None
    json_: JsonArguments = Field(default_factory=dict, alias="json")
    debug: Flag = False
    #: Optional, beyond the public contract: environment variables and Kubernetes secrets
    #: (whose keys become environment variables) for every run of the task.
    extra_env_vars: dict[EnvName, EnvValue] = Field(
        default_factory=dict,
        max_length=MAX_ENV_VARS,
        json_schema_extra={"propertyNames": {"pattern": ENV_NAME_PATTERN, "maxLength": MAX_NAME_CHARS}},
    )
    bind_secrets: list[SecretName] = Field(default_factory=list, max_length=MAX_SECRETS)


class RunScheduledRequest(RunOnceRequest):
    schedule: Name


class RunContinuouslyRequest(RunOnceRequest):
    name: Name | None = None


class CreatedResponse(ResponseBody):
    id: str


class TaskIdRequest(RequestBody):
    id: Id


class GetTaskRequest(TaskIdRequest):
    #: The SDK's ``GetTaskByIdRequest`` sends it: how many of the newest runs to show (default 5).
    run_limit: RunLimit | None = None


class OrchShaRequest(RequestBody):
    sha: Id


class IdsResponse(ResponseBody):
    ids: list[str]


class ListTasksRequest(RequestBody):
    workspace_id: Int64 | None = None
    killed: Flag | None = None
    orch_id: Id | None = None
    orch_sha: Id | None = None
    run_limit: RunLimit | None = None


class LastRun(ResponseBody):
    run_id: str
    status: str
    created_at: Timestamp
    updated_at: Timestamp


class TaskResponse(ResponseBody):
    id: str
    name: str | None
    workspace_id: int
    orch_id: str
    orch_sha: str
    run_type: str
    flavor: str
    schedule: str | None
    timeout: int | None
    image: str | None
    image_tag: str | None
    bind_secrets: list[str]
    extra_env_vars: dict[str, str]
    auth_init: bool
    exec_type: str
    reap_threshold_secs: int | None
    status: str
    input_data: dict[str, Any]
    killed: bool
    created_at: Timestamp
    updated_at: Timestamp
    last_runs: list[LastRun]

    @classmethod
    def of(cls, task: Task) -> TaskResponse:
        row = task.row
        return cls(
            id=row.id,
            name=row.name,
            workspace_id=row.workspace_id,
            orch_id=row.orch_id,
            orch_sha=row.orch_sha,
            run_type=RUN_TYPES[row.kind],
            flavor=FLAVORS[row.kind],
            schedule=row.schedule,
            timeout=row.timeout,
            image=task.image,
            image_tag=None,
            bind_secrets=json.loads(row.bind_secrets),
            extra_env_vars={
                **json.loads(row.extra_env_vars),
                "ORCH_OWNER_ID": row.owner_id,
                "ORCH_SHA": row.orch_sha,
                "TASK_ID": row.id,
            },
            auth_init=True,
            exec_type="job",
            reap_threshold_secs=None,
            status=task.status,
            input_data=json.loads(row.arguments),
            killed=row.killed,
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_runs=[
                LastRun(run_id=r.run_id, status=r.status, created_at=r.created_at, updated_at=r.updated_at)
                for r in task.last_runs
            ],
        )


class ListRunsRequest(RequestBody):
    task_id: Id
    status: Literal["all", "running", "failure", "success", "timed_out", "killed"] = "all"
    limit: PositiveCount | None = None
    time_range: tuple[Instant, Instant] | None = None


class RunDetailsRequest(RequestBody):
    task: Id
    pod_id: Id


class RunResponse(ResponseBody):
    task: str
    run_id: str
    status: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, run: TaskRun) -> RunResponse:
        return cls(
            task=run.task_id,
            run_id=run.run_id,
            status=run.status,
            created_at=run.created_at,
            updated_at=run.updated_at,
        )


class LogsRequest(RequestBody):
    id: Id
    lines: PositiveCount | None = None


class LogsResponse(ResponseBody):
    logs: list[str]


class PauseRequest(RequestBody):
    id: Id
    pause: Flag
