"""Bodies of the ``task/*`` endpoints: every contract field present, null where it does not apply."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from airflow_wallaroo.api.models import PagedRequest, RequestBody, ResponseBody, Timestamp
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
    JsonInteger,
    Name,
    PositiveCount,
    RunLimit,
    Text,
    TimeoutSeconds,
)
from airflow_wallaroo.core.vocabulary import ConcurrencyPolicy
from airflow_wallaroo.runtime.contract import RESERVED_NAMES, RESERVED_PREFIXES
from airflow_wallaroo.services.task_status import TaskRun
from airflow_wallaroo.services.tasks import MAX_RETRIES, MAX_RETRY_DELAY_SECONDS, Task

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


#: A TCP port, 0..65535 (httpx refuses a URL with any other).
_PORT = "([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
NOTIFY_URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.-]*(:{_PORT})?(/[!-~]*)?$"
NotifyEvent = Literal["failure", "timed_out", "crash_loop", "success"]
#: What a webhook is told when ``events`` is absent: every way a run can go wrong.
DEFAULT_NOTIFY_EVENTS: list[NotifyEvent] = ["failure", "timed_out", "crash_loop"]


class NotifyRequest(RequestBody):
    """A webhook for the task's run notifications (beyond the contract)."""

    #: http(s), a host of letters, digits, dots and dashes, printable ASCII after it.
    url: Annotated[str, Field(min_length=1, max_length=2048, pattern=NOTIFY_URL_PATTERN)]
    events: list[NotifyEvent] = Field(
        default_factory=lambda: list(DEFAULT_NOTIFY_EVENTS), min_length=1, max_length=4
    )
    #: Keys the HMAC-SHA256 signature of each body; never shown back.
    secret: Annotated[Text, Field(min_length=16, max_length=256)]


class NotifyResponse(ResponseBody):
    url: str
    events: list[str]


class TaskRequest(RequestBody):
    """What every task-creating call takes."""

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
    #: Optional: POST a signed JSON notification to this webhook on the events it names.
    notify: NotifyRequest | None = None


class RunOnceRequest(TaskRequest):
    #: Optional: tries after a failed one (absent: none), the first after ``retry_delay``
    #: seconds, each next one after twice the wait before it.
    retries: Annotated[int, Field(ge=0, le=MAX_RETRIES), JsonInteger] | None = None
    retry_delay: Annotated[int, Field(ge=1, le=MAX_RETRY_DELAY_SECONDS), JsonInteger] | None = None


class RunScheduledRequest(RunOnceRequest):
    schedule: Name
    #: Optional: the IANA time zone the schedule is read in (absent: UTC).
    timezone: Annotated[Text, Field(min_length=1, max_length=64)] | None = None
    #: Optional: a tick that comes while a run is active starts another (``allow``, absent),
    #: is skipped (``forbid``), or stops the active run first (``replace``).
    concurrency_policy: ConcurrencyPolicy | None = None


class RunContinuouslyRequest(TaskRequest):
    name: Name | None = None


class CreatedResponse(ResponseBody):
    id: str


class TaskIdRequest(RequestBody):
    id: Id


class GetTaskRequest(TaskIdRequest):
    #: The SDK's ``GetTaskByIdRequest`` sends it: how many of the newest runs to show (default 5).
    run_limit: RunLimit | None = None


class RunIdResponse(ResponseBody):
    run_id: str


class OrchShaRequest(PagedRequest):
    sha: Id


class IdsResponse(ResponseBody):
    ids: list[str]


class ListTasksRequest(PagedRequest):
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
    timezone: str | None
    retries: int
    retry_delay: int | None
    concurrency_policy: str | None
    notify: NotifyResponse | None
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
            timezone=row.timezone,
            retries=row.retries,
            retry_delay=row.retry_delay,
            notify=NotifyResponse(**_public(json.loads(row.notify))) if row.notify else None,
            concurrency_policy=(row.concurrency_policy or "allow") if row.kind == "run_scheduled" else None,
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


def _public(notify: dict[str, Any]) -> dict[str, Any]:
    return {"url": notify["url"], "events": notify["events"]}


class ListRunsRequest(PagedRequest):
    task_id: Id
    status: Literal["all", "running", "failure", "success", "timed_out", "killed", "skipped"] = "all"
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
    #: Beyond the contract: the try that ran last (1, then 2 after a retry...; 0 before any).
    try_number: int

    @classmethod
    def of(cls, run: TaskRun) -> RunResponse:
        return cls(
            task=run.task_id,
            run_id=run.run_id,
            status=run.status,
            created_at=run.created_at,
            updated_at=run.updated_at,
            try_number=run.try_number,
        )


class LogsRequest(RequestBody):
    id: Id
    lines: PositiveCount | None = None


class LogsResponse(ResponseBody):
    logs: list[str]


class PauseRequest(RequestBody):
    id: Id
    pause: Flag
