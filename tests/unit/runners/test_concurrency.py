"""The forbid concurrency policy, as a run checks it before its user code starts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowSkipException

from airflow_wallaroo.core.naming import OUTCOME_XCOM_KEYS
from airflow_wallaroo.core.spec import TaskSpec
from airflow_wallaroo.runners.concurrency import skip_if_forbidden

SPEC = TaskSpec(
    task_id="t",
    kind="run_scheduled",
    name=None,
    workspace_id=1,
    owner_id="admin",
    orch_id="o",
    orch_sha="a" * 64,
    orch_name="hello",
    entrypoint="main.py",
    arguments={},
    first_run_id="r0",
    created_at="2026-11-25T00:00:00+00:00",
    schedule="* * * * *",
)


@dataclass
class FakeTaskInstance:
    """Stands for Airflow's runtime task instance: its execution-API count and XCom push."""

    running: int
    pushed: dict[str, Any] = field(default_factory=dict)
    asked: list[dict[str, Any]] = field(default_factory=list)

    def get_dr_count(self, **criteria: Any) -> int:
        self.asked.append(criteria)
        return self.running

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


@dataclass
class FakeDagRun:
    dag_id: str = "wallaroo_task_t"
    run_id: str = "r1"


def context(running: int) -> dict[str, Any]:
    return {"ti": FakeTaskInstance(running), "dag_run": FakeDagRun()}


def test_forbid_skips_while_another_run_is_running() -> None:
    ctx = context(running=2)
    with pytest.raises(AirflowSkipException, match="concurrency_policy is forbid"):
        skip_if_forbidden(replace(SPEC, concurrency_policy="forbid"), ctx)
    assert ctx["ti"].pushed == {OUTCOME_XCOM_KEYS["skipped"]: "skipped"}
    assert ctx["ti"].asked == [{"dag_id": "wallaroo_task_t", "states": ["running"]}]


def test_forbid_runs_when_alone() -> None:
    skip_if_forbidden(replace(SPEC, concurrency_policy="forbid"), context(running=1))


@pytest.mark.parametrize("policy", ["allow", "replace"])
def test_other_policies_never_skip(policy: str) -> None:
    ctx = context(running=5)
    skip_if_forbidden(replace(SPEC, concurrency_policy=policy), ctx)
    assert ctx["ti"].asked == []
