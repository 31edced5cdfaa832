"""How answers are shown: rich tables for people, the server's JSON for scripts."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


#: Every command that shows something takes ``-o/--output``; all but the run-* commands
#: (whose ``--json`` is the task's arguments) also take the ``--json`` shorthand.
OutputOpt = Annotated[OutputFormat, typer.Option("--output", "-o", help="table (default) or json")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="print the server's JSON answer, for scripts (= -o json)")
]

STATUS_STYLES = {
    "ready": "green",
    "success": "green",
    "started": "cyan",
    "running": "cyan",
    "pending_packaging": "yellow",
    "packaging": "yellow",
    "pending": "yellow",
    "pending_kill": "yellow",
    "pending_pause": "yellow",
    "pending_resume": "yellow",
    "paused": "yellow",
    "error": "red",
    "failure": "red",
    "failed": "red",
    "timed_out": "red",
    "crash_loop": "red",
    "schedule_error": "red",
    "killed": "magenta",
    "unknown": "dim",
}


def wants_json(output: OutputFormat, json_flag: bool = False) -> bool:
    return json_flag or output == OutputFormat.json


def stdout() -> Console:
    """The console for results: wide when piped, so ids are never wrapped."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200, highlight=False)


def stderr() -> Console:
    """The console for progress and errors, so stdout stays clean for scripts."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
    sys.stdout.flush()


def when(value: datetime | None) -> str:
    """A time for a person: UTC, to the second."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def status(value: str) -> Text:
    return Text(value, style=STATUS_STYLES.get(value, ""))


def size(value: int) -> str:
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{value} B"


def _print(renderable: Any) -> None:
    """Print without the padding rich adds after the last column (it would end every line in spaces)."""
    console = stdout()
    with console.capture() as captured:
        console.print(renderable)
    sys.stdout.write("\n".join(_TRAILING.sub(r"\1", line) for line in captured.get().split("\n")))
    sys.stdout.flush()


#: Spaces at the end of a line, before any closing colour codes.
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "nothing to show"
) -> None:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:  # ids are copied from here: wrap them in a narrow terminal, never cut them
        table.add_column(column, overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
        count += 1
    _print(table if count else Text(empty, style="dim"))


def print_fields(fields: Sequence[tuple[str, Any]]) -> None:
    """One object as ``name  value`` lines."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(name, value if isinstance(value, Text) else Text("-" if value is None else str(value)))
    _print(table)
