"""Bodies of the ``task/*`` endpoints: every contract field present, null where it does not apply."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from airflow_wallaroo.api.models import PagedRequest, RequestBody, ResponseBody, Timestamp
from airflow_wallaroo.services.task_status import TaskRun
from airflow_wallaroo.services.tasks import Task

RUN_TYPES = {"run_once": "Oneshot", "run_scheduled": "CronJob", "run_continuously": "NetworkService"}
FLAVORS = {
    "run_once": "exec_orch_oneshot",
    "run_scheduled": "exec_orch_cron",
    "run_continuously": "exec_orch_network_service",
}


class RunOnceRequest(RequestBody):
    workspace_id: int
    orch_id: str
    name: str | None = None
    timeout: int | None = None
    json_: dict[str, Any] = Field(default_factory=dict, alias="json")
    debug: bool = False
    #: Optional, beyond the public contract: environment variables and Kubernetes secrets
    #: (whose keys become environment variables) for every run of the task.
    extra_env_vars: dict[str, str] = Field(default_factory=dict)
    bind_secrets: list[str] = Field(default_factory=list)


class RunScheduledRequest(RunOnceRequest):
    schedule: str


class RunContinuouslyRequest(RunOnceRequest):
    name: str | None = None


class CreatedResponse(ResponseBody):
    id: str


class TaskIdRequest(RequestBody):
    id: str


class OrchShaRequest(PagedRequest):
    sha: str


class IdsResponse(ResponseBody):
    ids: list[str]


class ListTasksRequest(PagedRequest):
    workspace_id: int | None = None
    killed: bool | None = None
    orch_id: str | None = None
    orch_sha: str | None = None
    run_limit: int | None = Field(default=None, ge=0, le=100)


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


class ListRunsRequest(PagedRequest):
    task_id: str
    status: Literal["all", "running", "failure", "success", "timed_out", "killed"] = "all"
    time_range: tuple[datetime, datetime] | None = None


class RunDetailsRequest(RequestBody):
    task: str
    pod_id: str


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
    id: str
    lines: int | None = Field(default=None, ge=1)


class LogsResponse(ResponseBody):
    logs: list[str]


class PauseRequest(RequestBody):
    id: str
    pause: bool
