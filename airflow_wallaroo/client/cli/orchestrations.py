"""``airflow-wallaroo orch ...``: upload, list, inspect, download and delete orchestrations."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from airflow_wallaroo.client.api import WallarooClient
from airflow_wallaroo.client.cli.context import CliError, ExitCode, state
from airflow_wallaroo.client.cli.output import (
    JsonOpt,
    OutputFormat,
    OutputOpt,
    print_fields,
    print_json,
    print_table,
    size,
    status,
    stderr,
    stdout,
    wants_json,
    when,
)
from airflow_wallaroo.client.config import WORKSPACE_ENV
from airflow_wallaroo.client.models import Orchestration

app = typer.Typer(
    help="Orchestrations: uploaded code, packaged into a Python environment.", no_args_is_help=True
)

#: Where Airflow shows an orchestration's packaging run and its log (the pip output).
PACKAGING_DAG, PACKAGING_TASK = "wallaroo_packaging", "build_environment"

OrchArg = Annotated[str, typer.Argument(help="orchestration id", metavar="ORCH")]
WorkspaceOpt = Annotated[
    int | None, typer.Option("--workspace", "-w", envvar=WORKSPACE_ENV, help="workspace id", show_envvar=True)
]


def packaging_log_url(base_url: str, orchestration: Orchestration) -> str:
    """The Airflow UI page with the packaging run's log."""
    return f"{base_url}/dags/{PACKAGING_DAG}/runs/{orchestration.task_id}/tasks/{PACKAGING_TASK}"


def pick_workspace(client: WallarooClient, workspace: int | None) -> int:
    """The workspace asked for, else the caller's only one; with several, they must choose."""
    if workspace is not None:
        return workspace
    found = client.list_workspaces()
    if len(found) == 1:
        return found[0].id
    names = ", ".join(f"{w.id} ({w.name})" for w in found)
    raise CliError(f"you have {len(found)} workspaces: pass --workspace or set {WORKSPACE_ENV} ({names})")


def _show(orchestration: Orchestration, base_url: str) -> None:
    print_fields(
        [
            ("id", orchestration.id),
            ("name", orchestration.name),
            ("status", status(orchestration.status)),
            ("sha", orchestration.sha),
            ("file", f"{orchestration.file_name} ({size(orchestration.file_size)})"),
            ("workspace", orchestration.workspace_id),
            ("owner", orchestration.owner_id),
            ("image", orchestration.image_path),
            ("created", when(orchestration.created_at)),
            ("updated", when(orchestration.updated_at)),
            ("packaging log", packaging_log_url(base_url, orchestration)),
        ]
    )


@app.command("upload")
def upload(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="a folder (zipped for you) or a .zip with a main.py")],
    name: Annotated[str | None, typer.Option("--name", help="default: the folder's or file's name")] = None,
    workspace: WorkspaceOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="wait for packaging to end (ready or error)")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds --wait waits at most")] = 900.0,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Upload an orchestration; with --wait, follow its packaging until it is ready or failed."""
    if not path.exists():
        raise CliError(f"{path}: no such folder or file")
    client = state(ctx).client()
    workspace_id = pick_workspace(client, workspace)
    err = stderr()
    with Progress(
        TextColumn("uploading {task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        bar = progress.add_task(path.name, total=None)

        def on_progress(sent: int, total: int) -> None:
            progress.update(bar, completed=sent, total=total)

        try:
            orchestration_id = client.upload_orchestration(
                path, workspace_id, name=name, on_progress=on_progress
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if not wait:
        if wants_json(output, json_):
            print_json({"id": orchestration_id})
        else:
            err.print(f"uploaded: orchestration {orchestration_id} (workspace {workspace_id}), packaging")
            stdout().print(orchestration_id)
        return
    err.print(f"uploaded: orchestration {orchestration_id} (workspace {workspace_id})")
    final = _wait_for_packaging(client, orchestration_id, timeout)
    if wants_json(output, json_):
        print_json(final.raw)
    else:
        _show(final, client.url)
    if final.status == "error":
        err.print(
            f"[red]error:[/red] packaging failed; the end of its build output:\n{final.msg or '(none)'}",
            highlight=False,
            markup=True,
        )
        err.print(f"full log: {packaging_log_url(client.url, final)}")
        raise typer.Exit(ExitCode.FAILED)


def _wait_for_packaging(client: WallarooClient, orchestration_id: str, timeout: float) -> Orchestration:
    err = stderr()
    started = time.monotonic()
    seen: list[str] = []
    with err.status("packaging ...") as spinner:

        def on_status(orchestration: Orchestration) -> None:
            if not seen or seen[-1] != orchestration.status:
                seen.append(orchestration.status)
                err.print(f"packaging: {orchestration.status} ({time.monotonic() - started:.1f} s)")
            spinner.update(f"packaging: {orchestration.status}")

        try:
            return client.wait_for_orchestration(orchestration_id, timeout=timeout, on_status=on_status)
        except TimeoutError as exc:
            raise CliError(
                f"{exc}; see `airflow-wallaroo orch get {orchestration_id}`", ExitCode.WAIT_TIMEOUT
            ) from None


@app.command("list")
def list_orchestrations(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """List orchestrations: of one workspace, or of all of yours."""
    client = state(ctx).client()
    if workspace is not None:
        found = client.list_orchestrations(workspace)
        if wants_json(output, json_):
            print_json([o.raw for o in found])
            return
        rows: list[tuple[Orchestration, int | None]] = [(o, None) for o in found]
    else:
        listings = client.list_all_orchestrations()
        if wants_json(output, json_):
            print_json({"orchestrations": [entry.raw for entry in listings]})
            return
        rows = [(entry.orchestration, len(entry.tasks)) for entry in listings]
    print_table(
        ("ID", "NAME", "STATUS", "SHA", "SIZE", "WORKSPACE", "TASKS", "CREATED"),
        (
            (
                o.id,
                o.name,
                status(o.status),
                o.sha[:12],
                size(o.file_size),
                o.workspace_id,
                "-" if tasks is None else tasks,
                when(o.created_at),
            )
            for o, tasks in rows
        ),
        empty="no orchestrations",
    )


@app.command("get")
def get_orchestration(
    ctx: typer.Context, orchestration: OrchArg, output: OutputOpt = OutputFormat.table, json_: JsonOpt = False
) -> None:
    """Show one orchestration, with the build output's end when packaging failed."""
    client = state(ctx).client()
    found = client.get_orchestration(orchestration)
    if wants_json(output, json_):
        print_json(found.raw)
        return
    _show(found, client.url)
    if found.msg:
        stdout().print(f"\nbuild output (end):\n{found.msg}", markup=False)


@app.command("download")
def download(
    ctx: typer.Context,
    orchestration: OrchArg,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="where to write (default: its file name)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Download the uploaded ZIP, and check its sha256."""
    client = state(ctx).client()
    target = file or Path(client.get_orchestration(orchestration).file_name)
    if target.exists() and not force:
        raise CliError(f"{target} exists: pass --force to overwrite it, or --file to write elsewhere")
    result = client.download_orchestration(orchestration, target)
    if not result.verified:
        target.unlink(missing_ok=True)
        raise CliError(
            f"download of {orchestration} is damaged: sha256 {result.sha}, the server announced "
            f"{result.announced_sha}",
            ExitCode.API_ERROR,
        )
    if wants_json(output, json_):
        print_json({"path": result.path, "size": result.size, "sha": result.sha})
    else:
        stdout().print(f"wrote {result.path} ({size(result.size)}, sha256 {result.sha})")


@app.command("delete")
def delete(
    ctx: typer.Context,
    orchestrations: Annotated[list[str], typer.Argument(help="orchestration ids", metavar="ORCH...")],
    confirm_delete: Annotated[
        bool, typer.Option("--confirm-delete", help="also kill the live tasks that use them")
    ] = False,
    output: OutputOpt = OutputFormat.table,
    json_: JsonOpt = False,
) -> None:
    """Delete orchestrations (refused while live tasks use them, unless --confirm-delete)."""
    result = state(ctx).client().delete_orchestrations(orchestrations, confirm_delete)
    if wants_json(output, json_):
        print_json(result.raw)
        return
    freed = f"; {size(result.bytes)} of archives freed" if result.bytes is not None else ""
    stdout().print(f"deleted {len(result.deleted)}: {', '.join(result.deleted)}{freed}")
