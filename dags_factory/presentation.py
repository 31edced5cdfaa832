"""How a task's DAG reads in Airflow's UI: its display name, description and owner.

Airflow's DAG list searches display names: by prefix in its search box (Airflow 3.3), by
substring with its advanced search (and its REST API's ``dag_display_name_pattern``). The
display name starts with the task's name (an unnamed task's, with its orchestration's) and
holds the orchestration's name too, so the search box finds a task by its name and the
advanced search by either. A killed task says so at the end of its display name (its
name still comes first, for the search) and in its description,
and a paused one is told apart by Airflow's own pause toggle alone (a killed DAG is
paused too, but carries the ``wallaroo:killed`` tag and the ``killed`` schedule).
"""

from __future__ import annotations

from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.core.vocabulary import TaskKind

#: The kind of a task, as the display name and description say it.
KIND_WORDS = {
    TaskKind.RUN_ONCE: "run once",
    TaskKind.RUN_SCHEDULED: "scheduled",
    TaskKind.RUN_CONTINUOUSLY: "continuous",
}
KILLED_MARK = " [killed]"


def kind_word(spec: TaskSpec) -> str:
    return KIND_WORDS.get(TaskKind(spec.kind), spec.kind)


def display_name(spec: TaskSpec) -> str:
    """``<task name> · <orchestration>``, or ``<orchestration> (<kind>)`` for an unnamed task."""
    base = f"{spec.name} · {spec.orch_name}" if spec.name else f"{spec.orch_name} ({kind_word(spec)})"
    return f"{base}{KILLED_MARK}" if spec.killed else base


def schedule_words(spec: TaskSpec) -> str:
    if spec.kind == TaskKind.RUN_SCHEDULED:
        return f"cron `{spec.schedule}` in {spec.timezone or 'UTC'}"
    if spec.kind == TaskKind.RUN_CONTINUOUSLY:
        return "again as soon as each run ends"
    return "once"


def description(spec: TaskSpec) -> str:
    """Orchestration, workspace, kind and schedule, in one line."""
    workspace = (
        f"{spec.workspace_name} (id {spec.workspace_id})" if spec.workspace_name else spec.workspace_id
    )
    text = (
        f"Wallaroo {kind_word(spec)} task of orchestration {spec.orch_name} in workspace {workspace}; "
        f"runs {schedule_words(spec)}"
    )
    return f"{text}. Killed through the Wallaroo API: no run starts again" if spec.killed else text


def owner(spec: TaskSpec) -> str:
    """The creating user's name (their id when the name is not known)."""
    return spec.owner_name or spec.owner_id
