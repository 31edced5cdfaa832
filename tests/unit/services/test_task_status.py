"""The status mapping of docs/status.md, row by row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from airflow.sdk import DagRunState

from airflow_wallaroo.airflow_compat.dags import DagState as DagFacts
from airflow_wallaroo.airflow_compat.runs import RunRecord as RunFacts
from airflow_wallaroo.runners.local_operator import BACKOFF_CAP_SECONDS, backoff_seconds
from airflow_wallaroo.services.task_status import run_status, task_status
from airflow_wallaroo.store.tables import TaskRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LOADED = DagFacts(loaded=True, paused=False)
PAUSED = DagFacts(loaded=True, paused=True)


def task(kind: str = "run_once", killed: bool = False, paused: bool = False) -> TaskRow:
    return TaskRow(id="t", kind=kind, killed=killed, paused=paused, updated_at=NOW)


def run(state: DagRunState, timed_out: bool = False, ended: datetime | None = NOW) -> RunFacts:
    return RunFacts(
        dag_id="wallaroo_task_t",
        run_id=f"r-{state}",
        state=str(state.value),
        created_at=NOW - timedelta(minutes=1),
        updated_at=NOW,
        end_date=ended,
        timed_out=timed_out,
    )


class TestRunStatus:
    @pytest.mark.parametrize(
        ("facts", "row", "expected"),
        [
            pytest.param(run(DagRunState.QUEUED), task(), "running", id="queued"),
            pytest.param(run(DagRunState.RUNNING), task(), "running", id="running"),
            pytest.param(run(DagRunState.SUCCESS), task(), "success", id="success"),
            pytest.param(run(DagRunState.FAILED), task(), "failure", id="failed"),
            pytest.param(run(DagRunState.FAILED, timed_out=True), task(), "timed_out", id="timed-out"),
            pytest.param(run(DagRunState.FAILED), task(killed=True), "killed", id="failed-by-kill"),
            pytest.param(
                run(DagRunState.FAILED, ended=NOW - timedelta(hours=1)),
                task(killed=True),
                "failure",
                id="failed-before-kill",
            ),
        ],
    )
    def test_mapping(self, facts: RunFacts, row: TaskRow, expected: str) -> None:
        assert run_status(facts, row) == expected


class TestTaskStatus:
    @pytest.mark.parametrize(
        ("row", "dag", "runs", "spec_error", "alive", "expected"),
        [
            pytest.param(
                task(killed=True),
                PAUSED,
                [run(DagRunState.RUNNING)],
                None,
                False,
                "pending_kill",
                id="kill-active",
            ),
            pytest.param(task(killed=True), PAUSED, [], None, True, "pending_kill", id="kill-cleanup"),
            pytest.param(
                task(killed=True), PAUSED, [run(DagRunState.FAILED)], None, False, "killed", id="killed"
            ),
            pytest.param(task(), LOADED, [], "ValueError: x", False, "schedule_error", id="spec-error"),
            pytest.param(task(paused=True), LOADED, [], None, False, "pending_pause", id="pause-pending"),
            pytest.param(
                task(paused=True),
                PAUSED,
                [run(DagRunState.RUNNING)],
                None,
                False,
                "pending_pause",
                id="pause-run-active",
            ),
            pytest.param(task(paused=True), PAUSED, [], None, False, "paused", id="paused"),
            pytest.param(task(), PAUSED, [], None, False, "pending_resume", id="resume-pending"),
            pytest.param(
                task(), DagFacts(loaded=False, paused=False), [], None, False, "pending", id="not-loaded"
            ),
            pytest.param(task(), LOADED, [], None, False, "pending", id="once-no-run"),
            pytest.param(
                task(), LOADED, [run(DagRunState.RUNNING)], None, False, "started", id="once-running"
            ),
            pytest.param(
                task(), LOADED, [run(DagRunState.SUCCESS)], None, False, "success", id="once-success"
            ),
            pytest.param(task(), LOADED, [run(DagRunState.FAILED)], None, False, "failed", id="once-failed"),
            pytest.param(
                task(),
                LOADED,
                [run(DagRunState.FAILED, timed_out=True)],
                None,
                False,
                "timed_out",
                id="once-timed-out",
            ),
            pytest.param(
                task("run_continuously"),
                LOADED,
                [run(DagRunState.FAILED)] * 3,
                None,
                False,
                "crash_loop",
                id="crash-loop",
            ),
            pytest.param(
                task("run_continuously"),
                LOADED,
                [run(DagRunState.FAILED)] * 2,
                None,
                False,
                "started",
                id="two-failures-not-yet",
            ),
            pytest.param(
                task("run_continuously"),
                LOADED,
                [run(DagRunState.RUNNING), *[run(DagRunState.FAILED)] * 3],
                None,
                False,
                "crash_loop",
                id="crash-loop-while-next-runs",
            ),
            pytest.param(
                task("run_scheduled"),
                LOADED,
                [run(DagRunState.FAILED)] * 3,
                None,
                False,
                "started",
                id="scheduled-failures-stay-started",
            ),
        ],
    )
    def test_mapping(self, row, dag, runs, spec_error, alive, expected) -> None:
        assert task_status(row, dag, runs, spec_error, alive) == expected


class TestBackoff:
    @pytest.mark.parametrize(
        ("failures", "seconds"), [(0, 0), (1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (50, 60)]
    )
    def test_doubles_up_to_the_cap(self, failures: int, seconds: float) -> None:
        assert backoff_seconds(failures) == seconds
        assert backoff_seconds(failures) <= BACKOFF_CAP_SECONDS
