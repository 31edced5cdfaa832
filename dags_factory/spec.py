"""Task specs: the JSON files, rendered from the project tables, that DAGs are built from.

A spec carries everything a DAG and its run need, so neither parsing nor the task touch
the metadata DB (Airflow 3 forbids both).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

SPEC_VERSION = 1
KINDS = ("run_once", "run_scheduled", "run_continuously")


@dataclass(frozen=True)
class TaskSpec:
    """One task, as the DAG factory sees it."""

    task_id: str
    kind: str
    name: str | None
    workspace_id: int
    owner_id: str
    orch_id: str
    orch_sha: str
    orch_name: str
    entrypoint: str
    arguments: dict[str, Any]
    first_run_id: str
    created_at: str
    schedule: str | None = None
    timeout: int | None = None
    api_url: str = ""
    version: int = SPEC_VERSION
    extra_env: dict[str, str] = field(default_factory=dict)
    #: Path of requirements.txt inside the archive (the pod installs it), if any.
    requirements: str | None = None
    #: Kubernetes secrets whose keys become the pod's environment variables.
    bind_secrets: list[str] = field(default_factory=list)

    @property
    def dag_id(self) -> str:
        return dag_id_of(self.task_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=1)

    @classmethod
    def from_json(cls, text: str) -> TaskSpec:
        data = json.loads(text)
        if data.get("kind") not in KINDS:
            raise ValueError(f"unknown task kind {data.get('kind')!r}")
        return cls(**data)


def dag_id_of(task_id: str) -> str:
    return f"wallaroo_task_{task_id}"


def shard_of(task_id: str, shards: int) -> int:
    """The shard a task's spec lives in: stable, spread by the UUID's low bits."""
    return int(task_id.replace("-", ""), 16) % shards
