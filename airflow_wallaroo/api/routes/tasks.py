"""``/v1/api/task/*``: create tasks of the three kinds, read them, their runs and logs."""

from __future__ import annotations

from fastapi import APIRouter

from airflow_wallaroo.api.deps import CallerDep, SessionDep
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
from airflow_wallaroo.exceptions import NotFoundError
from airflow_wallaroo.services import runs, task_control, tasks
from airflow_wallaroo.services.task_status import run_status
from airflow_wallaroo.settings import load_settings

router = APIRouter(prefix="/task", tags=["tasks"])


def _create(kind: str, body: RunOnceRequest, caller: CallerDep, session: SessionDep, schedule: str | None = None) -> CreatedResponse:
    task = tasks.create_task(
        session, caller, load_settings(), kind=kind, workspace_id=body.workspace_id, orch_id=body.orch_id,
        arguments=body.json_, name=body.name, timeout=body.timeout, schedule=schedule, debug=body.debug,
        extra_env_vars=body.extra_env_vars, bind_secrets=body.bind_secrets,
    )
    return CreatedResponse(id=task.id)


@router.post("/run_once", status_code=201)
def run_once(body: RunOnceRequest, caller: CallerDep, session: SessionDep) -> CreatedResponse:
    """Run an orchestration exactly once."""
    return _create("run_once", body, caller, session)


@router.post("/run_scheduled", status_code=201)
def run_scheduled(body: RunScheduledRequest, caller: CallerDep, session: SessionDep) -> CreatedResponse:
    """Run an orchestration each time a cron schedule fires (UTC), overlapping runs allowed."""
    return _create("run_scheduled", body, caller, session, schedule=body.schedule)


@router.post("/run_continuously", status_code=201)
def run_continuously(body: RunContinuouslyRequest, caller: CallerDep, session: SessionDep) -> CreatedResponse:
    """Run an orchestration again as soon as its previous run ends, until killed."""
    return _create("run_continuously", body, caller, session)


@router.post("/get_by_id")
def get_task(body: TaskIdRequest, caller: CallerDep, session: SessionDep) -> TaskResponse:
    settings = load_settings()
    return TaskResponse.of(tasks.get_task(session, caller, settings, body.id), settings.runner)


@router.post("/list")
def list_tasks(caller: CallerDep, session: SessionDep, body: ListTasksRequest | None = None) -> list[TaskResponse]:
    body = body or ListTasksRequest()
    settings = load_settings()
    found = tasks.list_tasks(
        session, caller, settings, workspace_id=body.workspace_id, killed=body.killed, orch_id=body.orch_id,
        orch_sha=body.orch_sha, run_limit=body.run_limit if body.run_limit is not None else tasks.LAST_RUNS,
    )
    return [TaskResponse.of(t, settings.runner) for t in found]


@router.post("/get_tasks_by_orch_sha")
def get_tasks_by_orch_sha(body: OrchShaRequest, caller: CallerDep, session: SessionDep) -> IdsResponse:
    return IdsResponse(ids=tasks.task_ids_by_sha(session, caller, body.sha))


@router.post("/list_task_runs")
def list_task_runs(body: ListRunsRequest, caller: CallerDep, session: SessionDep) -> list[RunResponse]:
    """The task's runs, newest ``updated_at`` first."""
    task = tasks.require_task(session, caller, body.task_id)
    since, until = body.time_range if body.time_range else (None, None)
    found = []
    for facts in runs.run_facts(session, task.id, since=since, until=until):
        status = run_status(facts, task)
        if body.status == "all" or status == body.status:
            found.append(RunResponse.of(task.id, facts, status))
    found.sort(key=lambda r: r.updated_at, reverse=True)
    return found[: body.limit] if body.limit else found


@router.post("/get_run_details")
def get_run_details(body: RunDetailsRequest, caller: CallerDep, session: SessionDep) -> RunResponse:
    task = tasks.require_task(session, caller, body.task)
    run = runs.find_run(session, body.pod_id)
    if run.dag_id != f"wallaroo_task_{task.id}":
        raise NotFoundError(f"pod_id: run {body.pod_id} is not a run of task {task.id}")
    facts = runs.facts_of(session, run)
    return RunResponse.of(task.id, facts, run_status(facts, task))


@router.post("/get_logs_for_run")
def get_logs_for_run(body: LogsRequest, caller: CallerDep, session: SessionDep) -> LogsResponse:
    """The user's output of one run, in container-runtime log form, oldest first."""
    run = runs.find_run(session, body.id)
    task = tasks.require_task(session, caller, run.dag_id.removeprefix("wallaroo_task_"))
    if task.killed:
        # A kill deletes its runs' logs; finish that here too if the api-server restarted first.
        task_control.delete_run_logs(session, task.id)
        return LogsResponse(logs=[])
    return LogsResponse(logs=runs.read_user_logs(session, run, body.lines))


@router.post("/kill", status_code=202)
def kill_task(body: TaskIdRequest, caller: CallerDep, session: SessionDep) -> TaskResponse:
    """Stop the task for good: its runs are stopped, no more start, its logs are deleted."""
    settings = load_settings()
    task = tasks.require_task(session, caller, body.id)
    if task.killed:
        return TaskResponse.of(tasks.describe(session, settings, [task])[0], settings.runner)
    task_control.kill_task(session, task)
    # Described before the cleanup starts: the answer is the request's state, pending_kill,
    # never a race with a cleanup that can finish within milliseconds.
    answer = TaskResponse.of(tasks.describe(session, settings, [task])[0], settings.runner)
    task_control.finish_kill_later(task.id)
    return answer


@router.post("/pause", status_code=202)
def pause_task(body: PauseRequest, caller: CallerDep, session: SessionDep) -> TaskResponse:
    """Pause (``pause: true``) or resume (``pause: false``) a task."""
    settings = load_settings()
    task = tasks.require_task(session, caller, body.id)
    if task.killed:
        from airflow_wallaroo.exceptions import ConflictError

        raise ConflictError(f"id: task {task.id} is killed; it cannot be paused or resumed")
    task_control.pause_task(session, task, body.pause)
    return TaskResponse.of(tasks.describe(session, settings, [task])[0], settings.runner)
