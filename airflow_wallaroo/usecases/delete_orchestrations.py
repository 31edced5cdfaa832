"""Delete orchestrations, killing their live tasks first when the caller confirms."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from airflow_wallaroo.core.vocabulary import FINISHED_TASK_STATUSES
from airflow_wallaroo.exceptions import ConflictError
from airflow_wallaroo.services import orchestrations, tasks
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.usecases.effects import after_commit
from airflow_wallaroo.usecases.kill_task import finish_kill_later, stop_task


@dataclass(frozen=True)
class Deleted:
    """Which orchestrations were deleted, and how many archive bytes that freed."""

    ids: list[str]
    bytes_freed: int


def delete_orchestrations(
    session: Session, caller: Caller, settings: WallarooSettings, ids: Sequence[str], confirm: bool
) -> Deleted:
    """Delete orchestrations of the caller's workspaces, and their archives once unreferenced.

    Live tasks of theirs refuse the delete (409 naming them) unless ``confirm`` is set;
    then they are killed first. Killed tasks stay listed.
    """
    rows = [
        orchestrations.get_orchestration(session, caller, orchestration_id, settings).row
        for orchestration_id in ids
    ]
    live = [
        t
        for t in tasks.live_tasks_of(session, settings, [r.id for r in rows])
        if t.status not in FINISHED_TASK_STATUSES
    ]
    if live and not confirm:
        names = ", ".join(f"{t.row.id} ({t.row.name or t.row.kind}, {t.status})" for t in live)
        raise ConflictError(
            f"orchestrations: live tasks use them: {names}; send confirm_delete: true to kill them"
        )
    for task in live:
        stop_task(session, task.row, caller.username)
    sizes = orchestrations.remove_orchestrations(session, rows)
    session.commit()
    for task in live:
        publish = functools.partial(tasks.publish, session, task.row, settings)
        after_commit(session, f"publish the killed spec of task {task.row.id}", publish)
        finish_kill_later(task.row.id)
    freed = orchestrations.delete_unused_archives(session, sizes, settings)
    return Deleted(ids=[r.id for r in rows], bytes_freed=freed)
