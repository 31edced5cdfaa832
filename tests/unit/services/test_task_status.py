"""The status mapping of docs/status.md, row by row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from airflow.sdk import DagRunState

from airflow_wallaroo.airflow_compat.dags import DagState
from airflow_wallaroo.airflow_compat.runs import RunRecord
from airflow_wallaroo.runners.local_operator import BACKOFF_CAP_SECONDS, backoff_seconds
from airflow_wallaroo.services.task_status import run_status, task_status
from airflow_wallaroo.store.tables import TaskRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LOADED = DagState(loaded=True, paused=False)
PAUSED = DagState(loaded=True, paused=True)
NOT_LOADED = DagState(loaded=False, paused=False)


def task(
    kind: str = "run_once", killed: bool = False, paused: bool = False, pending: bool = False
) -> TaskRow:
    """A task row; ``pending``: its last pause or resume waits to be applied."""
    return TaskRow(
        id="t",
        kind=kind,
        killed=killed,
        killed_at=NOW if killed else None,
        paused=paused,
        pause_requested_at=NOW if pending else None,
        updated_at=NOW,
    )


def run(state: DagRunState, timed_out: bool = False, ended: datetime | None = NOW) -> RunRecord:
    return RunRecord(
        dag_id="wallaroo_task_t",
        run_id=f"r-{state}",
        state=str(state.value),
        created_at=NOW - timedelta(minutes=1),
        updated_at=NOW,
        end_date=ended,
        timed_out=timed_out,
    )


RUNNING, QUEUED = run(DagRunState.RUNNING), run(DagRunState.QUEUED)
SUCCESS, FAILED = run(DagRunState.SUCCESS), run(DagRunState.FAILED)


class TestRunStatus:
    @pytest.mark.parametrize(
        ("record", "row", "expected"),
        [
            pytest.param(QUEUED, task(), "running", id="queued"),
            pytest.param(RUNNING, task(), "running", id="running"),
            pytest.param(SUCCESS, task(), "success", id="success"),
            pytest.param(FAILED, task(), "failure", id="failed"),
            pytest.param(run(DagRunState.FAILED, timed_out=True), task(), "timed_out", id="timed-out"),
            pytest.param(FAILED, task(killed=True), "killed", id="failed-by-kill"),
            pytest.param(
                run(DagRunState.FAILED, ended=NOW - timedelta(hours=1)),
                task(killed=True),
                "failure",
                id="failed-before-kill",
            ),
            pytest.param(
                replace(SUCCESS, outcome="skipped"), task("run_scheduled"), "skipped", id="skipped-by-forbid"
            ),
            pytest.param(replace(FAILED, outcome="replaced"), task("run_scheduled"), "killed", id="replaced"),
        ],
    )
    def test_mapping(self, record: RunRecord, row: TaskRow, expected: str) -> None:
        assert run_status(record, row) == expected


class TestTaskStatus:
    @pytest.mark.parametrize(
        ("row", "dag", "runs", "spec_error", "cleanup", "expected"),
        [
            pytest.param(task(killed=True), PAUSED, [RUNNING], None, False, "pending_kill", id="kill-active"),
            pytest.param(task(killed=True), PAUSED, [], None, True, "pending_kill", id="kill-cleanup"),
            pytest.param(task(killed=True), PAUSED, [FAILED], None, False, "killed", id="killed"),
            pytest.param(
                task(killed=True), LOADED, [FAILED], None, False, "killed", id="killed-whatever-airflow-says"
            ),
            pytest.param(task(), LOADED, [], "ValueError: x", False, "schedule_error", id="spec-error"),
            pytest.param(
                task(paused=True, pending=True),
                NOT_LOADED,
                [],
                None,
                False,
                "pending_pause",
                id="pause-waits",
            ),
            pytest.param(task(pending=True), PAUSED, [], None, False, "pending_resume", id="resume-waits"),
            pytest.param(
                task(paused=True), PAUSED, [RUNNING], None, False, "paused", id="paused-run-goes-on"
            ),
            pytest.param(task(), PAUSED, [], None, False, "paused", id="paused-in-airflow"),
            pytest.param(task(paused=True), LOADED, [], None, False, "pending", id="unpaused-in-airflow"),
            pytest.param(task(), NOT_LOADED, [], None, False, "pending", id="not-loaded"),
            pytest.param(task(), LOADED, [], None, False, "pending", id="once-no-run"),
            pytest.param(task(), LOADED, [QUEUED], None, False, "pending", id="once-queued"),
            pytest.param(task(), LOADED, [RUNNING], None, False, "started", id="once-running"),
            pytest.param(task(), LOADED, [SUCCESS], None, False, "success", id="once-success"),
            pytest.param(
                task(), PAUSED, [SUCCESS], None, False, "success", id="once-success-stays-if-paused"
            ),
            pytest.param(task(), LOADED, [FAILED], None, False, "failed", id="once-failed"),
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
                task("run_continuously"), LOADED, [FAILED] * 3, None, False, "crash_loop", id="crash-loop"
            ),
            pytest.param(
                task("run_continuously"),
                LOADED,
                [FAILED] * 2,
                None,
                False,
                "started",
                id="two-failures-not-yet",
            ),
            pytest.param(
                task("run_continuously"),
                LOADED,
                [RUNNING, *[FAILED] * 3],
                None,
                False,
                "crash_loop",
                id="crash-loop-while-next-runs",
            ),
            pytest.param(
                task("run_scheduled"),
                LOADED,
                [FAILED] * 3,
                None,
                False,
                "started",
                id="scheduled-failures-stay-started",
            ),
        ],
    )
    def test_mapping(
        self,
        row: TaskRow,
        dag: DagState,
        runs: list[RunRecord],
        spec_error: str | None,
        cleanup: bool,
        expected: str,
    ) -> None:
        assert task_status(row, dag, runs, spec_error, cleanup) == expected


class TestBackoff:
    @pytest.mark.parametrize(
        ("failures", "seconds"), [(0, 0), (1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (50, 60)]
    )
    def test_doubles_up_to_the_cap(self, failures: int, seconds: float) -> None:
        assert backoff_seconds(failures) == seconds
        assert backoff_seconds(failures) <= BACKOFF_CAP_SECONDS
