"""``airflow-wallaroo task ...``: run orchestrations as tasks, follow their runs and logs."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.text import Text

from airflow_wallaroo.client.api import WallarooClient
from airflow_wallaroo.client.cli.context import CliError, read_arguments, state
from airflow_wallaroo.client.cli.output import (
    JsonOpt,
    OutputFormat,
    OutputOpt,
    print_fields,
    print_json,
    print_table,
    status,
    stderr,
    stdout,
    wants_json,
    when,
)
from airflow_wallaroo.client.config import WORKSPACE_ENV
from airflow_wallaroo.client.models import RunSummary, Task

app = typer.Typer(
    help="Tasks: orchestrations run once, on a schedule or continuously; their runs and logs.",
    no_args_is_help=True,
)

TaskArg = Annotated[str, typer.Argument(help="task id", metavar="TASK")]
OrchArg = Annotated[str, typer.Argument(help="id of a ready orchestration", metavar="ORCH")]
ArgsOpt = Annotated[
    str | None,
    typer.Option(
        "--json",
        "-j",
        metavar="FILE|-",
        help="the task's arguments: a JSON file, - for stdin, or inline {...}",
    ),
]
NameOpt = Annotated[str | None, typer.Option("--name", help="a name for the task")]
TimeoutOpt = Annotated[
    int | None, typer.Option("--timeout", help="seconds a run may take before it is stopped")
]
WorkspaceOpt = Annotated[
    int | None,
    typer.Option(
        "--workspace", "-w", envvar=WORKSPACE_ENV, help="workspace id (default: the orchestration's)"
    ),
]


def dag_url(base_url: str, task_id: str) -> str:
    """The task's DAG in the Airflow UI."""
    return f"{base_url}/dags/wallaroo_task_{task_id}"


def run_url(base_url: str, task_id: str, run_id: str) -> str:
    """A run's page in the Airflow UI."""
    return f"{dag_url(base_url, task_id)}/runs/{run_id}"


def _create(
    ctx: typer.Context,
    kind: str,
    orch: str,
    arguments: str | None,
    output: OutputFormat,
    workspace: int | None,
    **options: Any,
) -> None:
    body = read_arguments(arguments)
    client = state(ctx).client()
    workspace_id = workspace if workspace is not None else client.get_orchestration(orch).workspace_id
    if kind == "scheduled":
        task_id = client.run_scheduled(workspace_id, orch, json=body, **options)
    elif kind == "continuous":
        task_id = client.run_continuously(workspace_id, orch, json=body, **options)
    else:
        task_id = client.run_once(workspace_id, orch, json=body, **options)
    if wants_json(output):
        print_json({"id": task_id})
    else:
        stderr().print(f"created task {task_id} ({kind}); its DAG: {dag_url(client.url, task_id)}")
        stdout().print(task_id)


@app.command("run-once")
def run_once(
    ctx: typer.Context,
    orch: OrchArg,
    arguments: ArgsOpt = None,
    name: NameOpt = None,
    timeout: TimeoutOpt = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = OutputFormat.table,
) -> None:
    """Run an orchestration once. Prints the task id."""
    _create(ctx, "once", orch, arguments, output, workspace, name=name, timeout=timeout)


@app.command("schedule")
def run_scheduled(
    ctx: typer.Context,
    orch: OrchArg,
    schedule: Annotated[str, typer.Option("--schedule", help="cron: minute hour day month weekday (UTC)")],
    arguments: ArgsOpt = None,
    name: NameOpt = None,
    timeout: TimeoutOpt = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = OutputFormat.table,
) -> None:
    """Run an orchestration each time a cron schedule fires. Prints the task id."""
    _create(
        ctx, "scheduled", orch, arguments, output, workspace, schedule=schedule, name=name, timeout=timeout
    )


@app.command("continuous")
def run_continuously(
    ctx: typer.Context,
    orch: OrchArg,
    arguments: ArgsOpt = None,
    name: NameOpt = None,
    timeout: TimeoutOpt = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = OutputFormat.table,
) -> None:
    """Run an orchestration again each time its run ends, until killed. Prints the task id."""
    _create(ctx, "continuous", orch, arguments, output, workspace, name=name, timeout=timeout)


def _last_runs(runs: list[RunSummary]) -> Text:
    text = Text()
    for run in runs:
        text.append("● ", style=status(run.status).style)
    return text


@app.command("list")
def list_tasks(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    orch: Annotated[str | None, typer.Option("--orch", help="only the tasks of this orchestration")] = None,
    killed: Annotated[
        bool | None, typer.Option("--killed/--live", help="only killed, or only live, tasks")
    ] = None,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """List your tasks, newest first, with the status of their last runs."""
    found = state(ctx).client().list_tasks(workspace_id=workspace, killed=killed, orch_id=orch)
    if wants_json(output, json_):
        print_json([t.raw for t in found])
        return
    print_table(
        ("ID", "NAME", "KIND", "SCHEDULE", "STATUS", "LAST RUNS", "ORCH", "CREATED"),
        (
            (
                t.id,
                t.name or "-",
                t.kind,
                t.schedule or "-",
                status(t.status),
                _last_runs(t.last_runs),
                t.orch_id[:8],
                when(t.created_at),
            )
            for t in found
        ),
        empty="no tasks",
    )


def _show(task: Task, base_url: str) -> None:
    print_fields(
        [
            ("id", task.id),
            ("name", task.name),
            ("kind", task.kind),
            ("status", status(task.status)),
            ("schedule", task.schedule),
            ("timeout", f"{task.timeout} s" if task.timeout else None),
            ("orchestration", f"{task.orch_id} (sha {task.orch_sha[:12]})"),
            ("workspace", task.workspace_id),
            ("arguments", task.input_data),
            ("killed", "yes" if task.killed else "no"),
            ("created", when(task.created_at)),
            ("updated", when(task.updated_at)),
            ("DAG", dag_url(base_url, task.id)),
        ]
    )
    if task.last_runs:
        stdout().print()
        print_table(
            ("RUN ID", "STATUS", "CREATED", "UPDATED"),
            ((r.run_id, status(r.status), when(r.created_at), when(r.updated_at)) for r in task.last_runs),
        )


@app.command("get")
def get_task(
    ctx: typer.Context, task: TaskArg, output: OutputOpt = OutputFormat.table, json_: JsonOpt = False
) -> None:
    """Show one task and its last runs."""
    client = state(ctx).client()
    found = client.get_task(task)
    if wants_json(output, json_):
        print_json(found.raw)
    else:
        _show(found, client.url)


@app.command("runs")
def list_runs(
    ctx: typer.Context,
    task: TaskArg,
    run_status: Annotated[
        str | None,
        typer.Option("--status", help="running, success, failure, timed_out or killed (default: all)"),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="at most this many, newest first")
    ] = None,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """List a task's runs, newest first."""
    client = state(ctx).client()
    runs = client.list_task_runs(task, status=run_status, limit=limit)
    if wants_json(output, json_):
        print_json([r.raw for r in runs])
        return
    print_table(
        ("RUN ID", "STATUS", "CREATED", "UPDATED"),
        ((r.run_id, status(r.status), when(r.created_at), when(r.updated_at)) for r in runs),
        empty="no runs",
    )


def _change(ctx: typer.Context, task: str, action: str, output: OutputFormat, json_: bool) -> None:
    client: WallarooClient = state(ctx).client()
    answer = {"kill": client.kill_task, "pause": client.pause_task, "resume": client.resume_task}[action](
        task
    )
    if wants_json(output, json_):
        print_json(answer.raw)
    else:
        stdout().print(Text.assemble(f"task {answer.id}: ", status(answer.status)))


@app.command("kill")
def kill(
    ctx: typer.Context, task: TaskArg, output: OutputOpt = OutputFormat.table, json_: JsonOpt = False
) -> None:
    """Stop a task for good: its runs are stopped and their logs deleted (answers pending_kill)."""
    _change(ctx, task, "kill", output, json_)


@app.command("pause")
def pause(
    ctx: typer.Context, task: TaskArg, output: OutputOpt = OutputFormat.table, json_: JsonOpt = False
) -> None:
    """Pause a task: no new runs start; a running one finishes."""
    _change(ctx, task, "pause", output, json_)


@app.command("resume")
def resume(
    ctx: typer.Context, task: TaskArg, output: OutputOpt = OutputFormat.table, json_: JsonOpt = False
) -> None:
    """Resume a paused task."""
    _change(ctx, task, "resume", output, json_)


@app.command("logs")
def logs(
    ctx: typer.Context,
    run: Annotated[str, typer.Argument(help="run id (see `task runs`)", metavar="RUN")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing new lines until the run ends")
    ] = False,
    task: Annotated[
        str | None, typer.Option("--task", help="the run's task id (found for you if not given)")
    ] = None,
    lines: Annotated[int | None, typer.Option("--lines", "-n", min=1, help="only the last N lines")] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="seconds between polls with --follow")
    ] = 1.0,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Print a run's output (stdout and stderr of the user's code), oldest first.

    With --follow, new lines are printed as they come until the run ends; with --json, each
    line is then printed as a JSON string on its own line.
    """
    client = state(ctx).client()
    as_json = wants_json(output, json_)
    if not follow:
        found = client.get_logs(run, lines)
        if as_json:
            print_json({"logs": found})
        else:
            _write(found)
        return
    if lines is not None:
        raise CliError("--lines and --follow do not go together: --follow prints the whole log")
    task_id = task or client.find_task_of_run(run)
    for line in client.follow_logs(run, task_id=task_id, interval=interval):
        _write([json.dumps(line) if as_json else line])
    final = client.get_run_details(task_id, run)
    stderr().print(Text.assemble(f"run {run} ended: ", status(final.status)))


def _write(lines: list[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
