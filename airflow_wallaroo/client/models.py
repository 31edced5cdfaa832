"""Typed views of the API's answers.

Each model keeps the answer it was parsed from in ``raw`` (what ``--json`` prints, unchanged),
and reads the fields a program needs with their types. Unknown fields are ignored, so a newer
server does not break an older client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Orchestration statuses after which packaging does not change any more.
ORCHESTRATION_FINAL = frozenset({"ready", "error"})
#: The one run status that is not an end.
RUN_ACTIVE = "running"


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time as the API writes it (``...+00:00`` or ``...Z``), or None."""
    if value is None or value == "":
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _time(data: dict[str, Any], key: str) -> datetime:
    value = parse_time(data.get(key))
    if value is None:
        raise ValueError(f"{key}: missing from the answer")
    return value


@dataclass(frozen=True)
class Workspace:
    id: int
    name: str
    created_at: datetime
    created_by: str
    archived: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Workspace:
        return cls(
            id=int(data["id"]),
            name=str(data["name"]),
            created_at=_time(data, "created_at"),
            created_by=str(data.get("created_by", "")),
            archived=bool(data.get("archived", False)),
            raw=data,
        )


@dataclass(frozen=True)
class WorkspaceUser:
    user_id: str
    user_type: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkspaceUser:
        return cls(user_id=str(data["user_id"]), user_type=str(data["user_type"]), raw=data)


@dataclass(frozen=True)
class Orchestration:
    id: str
    sha: str
    name: str
    file_name: str
    file_size: int
    image_path: str
    #: The packaging run's id (a run of the ``wallaroo_packaging`` DAG in Airflow).
    task_id: str
    owner_id: str
    workspace_id: int
    status: str
    #: The end of the build output when ``status`` is ``error``, else None.
    msg: str | None
    created_at: datetime
    updated_at: datetime
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return self.status in ORCHESTRATION_FINAL

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Orchestration:
        return cls(
            id=str(data["id"]),
            sha=str(data["sha"]),
            name=str(data["name"]),
            file_name=str(data["file_name"]),
            file_size=int(data["file_size"]),
            image_path=str(data.get("image_path") or ""),
            task_id=str(data.get("task_id") or ""),
            owner_id=str(data.get("owner_id") or ""),
            workspace_id=int(data["workspace_id"]),
            status=str(data["status"]),
            msg=data.get("msg"),
            created_at=_time(data, "created_at"),
            updated_at=_time(data, "updated_at"),
            raw=data,
        )


@dataclass(frozen=True)
class RunSummary:
    """One of a task's ``last_runs``."""

    run_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        return cls(
            run_id=str(data["run_id"]),
            status=str(data["status"]),
            created_at=_time(data, "created_at"),
            updated_at=_time(data, "updated_at"),
            raw=data,
        )


@dataclass(frozen=True)
class Task:
    id: str
    name: str | None
    workspace_id: int
    orch_id: str
    orch_sha: str
    #: ``Oneshot``, ``CronJob`` or ``NetworkService``.
    run_type: str
    schedule: str | None
    timeout: int | None
    status: str
    input_data: dict[str, Any]
    killed: bool
    created_at: datetime
    updated_at: datetime
    last_runs: list[RunSummary]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def kind(self) -> str:
        """The CLI's word for the run type: once, scheduled or continuous."""
        return {"Oneshot": "once", "CronJob": "scheduled", "NetworkService": "continuous"}.get(
            self.run_type, self.run_type
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Task:
        return cls(
            id=str(data["id"]),
            name=data.get("name"),
            workspace_id=int(data["workspace_id"]),
            orch_id=str(data["orch_id"]),
            orch_sha=str(data.get("orch_sha") or ""),
            run_type=str(data["run_type"]),
            schedule=data.get("schedule"),
            timeout=data.get("timeout"),
            status=str(data["status"]),
            input_data=dict(data.get("input_data") or {}),
            killed=bool(data.get("killed", False)),
            created_at=_time(data, "created_at"),
            updated_at=_time(data, "updated_at"),
            last_runs=[RunSummary.from_json(r) for r in data.get("last_runs") or []],
            raw=data,
        )


@dataclass(frozen=True)
class TaskRun:
    """A run of a task, as ``task/list_task_runs`` and ``task/get_run_details`` answer it."""

    task: str
    run_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return self.status != RUN_ACTIVE

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskRun:
        return cls(
            task=str(data["task"]),
            run_id=str(data["run_id"]),
            status=str(data["status"]),
            created_at=_time(data, "created_at"),
            updated_at=_time(data, "updated_at"),
            raw=data,
        )


@dataclass(frozen=True)
class OrchestrationListing:
    """One entry of ``orchestration/list_all``: an orchestration, its tasks and its workspace."""

    orchestration: Orchestration
    tasks: list[Task]
    workspace_id: int
    workspace_name: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrchestrationListing:
        workspace = data.get("workspace") or {}
        return cls(
            orchestration=Orchestration.from_json(data["orchestration"]),
            tasks=[Task.from_json(t) for t in data.get("tasks") or []],
            workspace_id=int(workspace.get("id", data["orchestration"]["workspace_id"])),
            workspace_name=str(workspace.get("name", "")),
            raw=data,
        )


@dataclass(frozen=True)
class DeleteResult:
    deleted: list[str]
    #: Archive bytes freed; None when the server did not say.
    bytes: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeleteResult:
        freed = data.get("bytes")
        return cls(
            deleted=[str(i) for i in data.get("deleted") or []],
            bytes=int(freed) if freed is not None else None,
            raw=data,
        )


@dataclass(frozen=True)
class Download:
    """An orchestration archive written to disk, with the sha256 the server announced and ours."""

    path: str
    size: int
    sha: str
    announced_sha: str | None

    @property
    def verified(self) -> bool:
        return self.announced_sha is not None and self.announced_sha == self.sha
