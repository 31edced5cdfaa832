"""``/v1/api/task/*``: create tasks of the three kinds, read them, their runs and logs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from airflow_wallaroo.api import deps
from airflow_wallaroo.api.deps import CallerDep, SessionDep, SettingsDep
from airflow_wallaroo.api.models.tasks import (
    CreatedResponse,
    IdsResponse,
    ListRunsRequest,
    ListTasksRequest,
    LogsRequest,
    LogsResponse,
    OrchShaRequest,
    PauseRequest,
    RunContinuouslyRequest,
    RunDetailsRequest,
    RunOnceRequest,
    RunResponse,
    RunScheduledRequest,
    TaskIdRequest,
    TaskResponse,
)
from airflow_wallaroo.api.paging import paged
from airflow_wallaroo.core.vocabulary import TaskKind
from airflow_wallaroo.services import paging, runs, tasks
from airflow_wallaroo.usecases.create_task import create_task
from airflow_wallaroo.usecases.kill_task import kill_task
from airflow_wallaroo.usecases.pause_task import pause_task

router = APIRouter(prefix="/task", tags=["tasks"])


def _order(kind: TaskKind, body: RunOnceRequest, schedule: str | None = None) -> tasks.TaskOrder:
    return tasks.TaskOrder(
        kind=kind,
        workspace_id=body.workspace_id,
        orch_id=body.orch_id,
        arguments=body.json_,
        name=body.name,
        timeout=body.timeout,
        schedule=schedule,
        debug=body.debug,
        extra_env_vars=body.extra_env_vars,
        bind_secrets=body.bind_secrets,
    )


@router.post("/run_once", status_code=201, dependencies=[deps.RUN])
def run_once(
    body: RunOnceRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration exactly once."""
    return CreatedResponse(id=create_task(session, caller, settings, _order(TaskKind.RUN_ONCE, body)).id)


@router.post("/run_scheduled", status_code=201, dependencies=[deps.RUN])
def run_scheduled(
    body: RunScheduledRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration each time a cron schedule fires (UTC), overlapping runs allowed."""
    order = _order(TaskKind.RUN_SCHEDULED, body, schedule=body.schedule)
    return CreatedResponse(id=create_task(session, caller, settings, order).id)


@router.post("/run_continuously", status_code=201, dependencies=[deps.RUN])
def run_continuously(
    body: RunContinuouslyRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> CreatedResponse:
    """Run an orchestration again as soon as its previous run ends, until killed."""
    return CreatedResponse(
        id=create_task(session, caller, settings, _order(TaskKind.RUN_CONTINUOUSLY, body)).id
    )


@router.post("/get_by_id", dependencies=[deps.READ])
def get_task(
    body: TaskIdRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> TaskResponse:
    return TaskResponse.of(tasks.get_task(session, caller, settings, body.id))


@router.post("/list", dependencies=[deps.READ])
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


@router.post("/list_task_runs", dependencies=[deps.READ])
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


@router.post("/get_run_details", dependencies=[deps.READ])
def get_run_details(body: RunDetailsRequest, caller: CallerDep, session: SessionDep) -> RunResponse:
    return RunResponse.of(runs.get_run_details(session, caller, body.task, body.pod_id))


@router.post("/get_logs_for_run", dependencies=[deps.READ_LOGS])
def get_logs_for_run(
    body: LogsRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> LogsResponse:
    """The user's output of one run, in container-runtime log form, oldest first."""
    return LogsResponse(logs=runs.get_run_logs(session, caller, settings, body.id, body.lines))


@router.post("/kill", status_code=202, dependencies=[deps.EDIT, deps.STOP])
def kill(body: TaskIdRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep) -> TaskResponse:
    """Stop the task for good: its runs are stopped, no more start, its logs are deleted."""
    return TaskResponse.of(kill_task(session, caller, settings, body.id))


@router.post("/pause", status_code=202, dependencies=[deps.EDIT])
def pause(body: PauseRequest, caller: CallerDep, session: SessionDep, settings: SettingsDep) -> TaskResponse:
    """Pause (``pause: true``) or resume (``pause: false``) a task."""
    return TaskResponse.of(pause_task(session, caller, settings, body.id, body.pause))
