"""Task specs: the JSON files, rendered from the project tables, that DAGs are built from.

A spec carries everything a DAG and its runs need, so neither parsing nor the task touch
the metadata DB (Airflow 3 forbids both). Deployment facts (the API's URL, the runner,
pod settings) are not in it: they are read from the configuration where the DAG is built
or run, so a spec never carries a stale or blank copy of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from airflow_wallaroo.core.naming import dag_id_of
from airflow_wallaroo.core.vocabulary import TaskKind

SPEC_VERSION = 2


@dataclass(frozen=True)
class TaskSpec:
    """One task, as the DAG factory and the runners see it."""

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
    #: IANA time zone of the cron schedule (None: UTC).
    timezone: str | None = None
    timeout: int | None = None
    version: int = SPEC_VERSION
    extra_env: dict[str, str] = field(default_factory=dict)
    #: Path of requirements.txt inside the archive (the pod installs it), if any.
    requirements: str | None = None
    #: Kubernetes secrets whose keys become the pod's environment variables.
    bind_secrets: list[str] = field(default_factory=list)
    #: Killed for good: the DAG allows no run of any type, and the operator refuses to run.
    killed: bool = False
    #: Paused through the API: a DAG created from this spec is created paused.
    paused: bool = False
    #: The creating user's name (the DAG's owner in Airflow's UI), and the workspace's name.
    owner_name: str | None = None
    workspace_name: str | None = None
    #: Retries of a failed run; a run interrupted by a platform crash is re-run only if this allows.
    retries: int = 0
    #: A scheduled task's ``ConcurrencyPolicy``: allow, forbid or replace overlapping runs.
    concurrency_policy: str = "allow"
    #: Webhook of the task's run notifications: ``{"url", "events", "secret"}``; None: none.
    notify: dict[str, Any] | None = None
    #: Seconds before the first retry; each next waits twice as long (Airflow's backoff).
    retry_delay: int | None = None

    @property
    def dag_id(self) -> str:
        return dag_id_of(self.task_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=1)

    @classmethod
    def from_json(cls, text: str) -> TaskSpec:
        """Parse a spec; keys of other spec versions that this one does not know are ignored."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a task spec must be a JSON object")
        if data.get("kind") not in {k.value for k in TaskKind}:
            raise ValueError(f"unknown task kind {data.get('kind')!r}")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
