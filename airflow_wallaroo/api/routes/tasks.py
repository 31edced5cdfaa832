"""``/v1/api/task/*``: create tasks of the three kinds, read them, their runs and logs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from airflow_wallaroo.api import deps
from airflow_wallaroo.api.deps import CallerDep, SessionDep, SettingsDep
from airflow_wallaroo.api.models.tasks import (
    CreatedResponse,
    GetTaskRequest,
    IdsResponse,
    ListRunsRequest,
    ListTasksRequest,
    LogsRequest,
    LogsResponse,
    OrchShaRequest,
    PauseRequest,
    RunContinuouslyRequest,
    RunDetailsRequest,
    RunIdResponse,
    RunOnceRequest,
    RunResponse,
    RunScheduledRequest,
    TaskIdRequest,
    TaskRequest,
    TaskResponse,
)
from airflow_wallaroo.api.openapi import errors
from airflow_wallaroo.api.paging import paged
from airflow_wallaroo.core.vocabulary import TaskKind
from airflow_wallaroo.services import paging, runs, tasks
from airflow_wallaroo.usecases.create_task import create_task
from airflow_wallaroo.usecases.kill_task import kill_task
from airflow_wallaroo.usecases.pause_task import pause_task
from airflow_wallaroo.usecases.run_now import run_now as start_run_now

router = APIRouter(prefix="/task", tags=["tasks"])


def _order(kind: TaskKind, body: TaskRequest) -> tasks.TaskOrder:
    scheduled = body if isinstance(body, RunScheduledRequest) else None
    return tasks.TaskOrder(
        kind=kind,
        workspace_id=body.workspace_id,
        orch_id=body.orch_id,
        arguments=body.json_,
        name=body.name,
        timeout=body.timeout,
        schedule=scheduled.schedule if scheduled else None,
        timezone=scheduled.timezone if scheduled else None,
        concurrency_policy=scheduled.concurrency_policy if scheduled else None,
        notify=body.notify.model_dump() if body.notify else None,
        debug=body.debug,
        extra_env_vars=body.extra_env_vars,
        bind_secrets=body.bind_secrets,
        retries=(body.retries or 0) if isinstance(body, RunOnceRequest) else 0,
        retry_delay=body.retry_delay if isinstance(body, RunOnceRequest) else None,
    )


@router.post("/run_once", status_code=201, dependencies=[deps.RUN], responses=errors(404, 409))
def run_once(
    body: RunOnceRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration exactly once."""
    return CreatedResponse(id=create_task(session, caller, settings, _order(TaskKind.RUN_ONCE, body)).id)


@router.post("/run_scheduled", status_code=201, dependencies=[deps.RUN], responses=errors(404, 409))
def run_scheduled(
    body: RunScheduledRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration each time a cron schedule fires (in ``timezone``, else UTC)."""
    order = _order(TaskKind.RUN_SCHEDULED, body)
    return CreatedResponse(id=create_task(session, caller, settings, order).id)


@router.post("/run_continuously", status_code=201, dependencies=[deps.RUN], responses=errors(404, 409))
def run_continuously(
    body: RunContinuouslyRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration again as soon as its previous run ends, until killed."""
    return CreatedResponse(
        id=create_task(session, caller, settings, _order(TaskKind.RUN_CONTINUOUSLY, body)).id
    )


@router.post("/run_now", status_code=201, dependencies=[deps.RUN], responses=errors(404, 409))
def run_now(body: TaskIdRequest, caller: CallerDep, session: SessionDep) -> RunIdResponse:
    """Start a run of a scheduled or continuous task now, as Airflow's Trigger button does.

    Beyond the contract. The run is listed like any other; on a paused task it waits,
    queued, until the task is resumed.
    """
    return RunIdResponse(run_id=start_run_now(session, caller, body.id))


@router.post("/get_by_id", dependencies=[deps.READ], responses=errors(404))
def get_task(
    body: GetTaskRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> TaskResponse:
    run_limit = body.run_limit if body.run_limit is not None else tasks.LAST_RUNS
    return TaskResponse.of(tasks.get_task(session, caller, settings, body.id, run_limit))


@router.post("/list", dependencies=[deps.READ], responses=errors(404))
def list_tasks(
    request: Request,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    body: ListTasksRequest | None = None,
) -> list[TaskResponse]:
    """The caller's tasks, newest first, one page (headers: X-Total-Count, Link)."""
    body = body or ListTasksRequest()
    page = tasks.list_tasks(
        session,
        caller,
        settings,
        paging.window(settings.paging, body.limit, body.offset),
        workspace_id=body.workspace_id,
        killed=body.killed,
        orch_id=body.orch_id,
        orch_sha=body.orch_sha,
        run_limit=body.run_limit if body.run_limit is not None else tasks.LAST_RUNS,
    )
    return [TaskResponse.of(t) for t in paged(request, response, page)]


@router.post("/get_tasks_by_orch_sha", dependencies=[deps.READ])
def get_tasks_by_orch_sha(
    request: Request,
    response: Response,
    body: OrchShaRequest,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> IdsResponse:
    """Ids of the caller's tasks that run this archive, oldest first, one page."""
    at = paging.window(settings.paging, body.limit, body.offset)
    return IdsResponse(ids=paged(request, response, tasks.task_ids_by_sha(session, caller, body.sha, at)))


@router.post("/list_task_runs", dependencies=[deps.READ], responses=errors(404))
def list_task_runs(
    request: Request,
    response: Response,
    body: ListRunsRequest,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> list[RunResponse]:
    """The task's runs, newest ``updated_at`` first, one page (headers: X-Total-Count, Link)."""
    page = runs.list_task_runs(
        session,
        caller,
        body.task_id,
        paging.window(settings.paging, body.limit, body.offset),
        status=body.status,
        time_range=body.time_range,
    )
    return [RunResponse.of(r) for r in paged(request, response, page)]


@router.post("/get_run_details", dependencies=[deps.READ], responses=errors(404))
def get_run_details(body: RunDetailsRequest, caller: CallerDep, session: SessionDep) -> RunResponse:
    return RunResponse.of(runs.get_run_details(session, caller, body.task, body.pod_id))


@router.post("/get_logs_for_run", dependencies=[deps.READ_LOGS], responses=errors(404))
def get_logs_for_run(
    body: LogsRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> LogsResponse:
    """The user's output of one run, in container-runtime log form, oldest first."""
    return LogsResponse(logs=runs.get_run_logs(session, caller, settings, body.id, body.lines))


@router.post("/kill", status_code=202, dependencies=[deps.EDIT, deps.STOP], responses=errors(404, 409))
def kill(body: TaskIdRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep) -> TaskResponse:
    """Stop the task for good: its runs are stopped, no more start, its logs are deleted."""
    return TaskResponse.of(kill_task(session, caller, settings, body.id))


@router.post("/pause", status_code=202, dependencies=[deps.EDIT], responses=errors(404, 409))
def pause(body: PauseRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep) -> TaskResponse:
    """Pause (``pause: true``) or resume (``pause: false``) a task."""
    return TaskResponse.of(pause_task(session, caller, settings, body.id, body.pause))
