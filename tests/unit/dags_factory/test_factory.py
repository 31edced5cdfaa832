"""dags_factory: specs round-trip, every kind builds, a broken spec is skipped and recorded."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from airflow_wallaroo.core.layout import SPEC_ERRORS_FOLDER as ERRORS_FOLDER
from airflow_wallaroo.core.naming import RUN_TASK_ID, shard_of
from airflow_wallaroo.core.spec import TaskSpec
from dags_factory.builder import build_task_dag
from dags_factory.loader import load_shard

SPEC = TaskSpec(
    task_id="6f1c0c9e-0000-4000-8000-000000000001",
    kind="run_once",
    name="n",
    workspace_id=3,
    owner_id="admin",
    orch_id="o-1",
    orch_sha="a" * 64,
    orch_name="hello",
    entrypoint="main.py",
    arguments={"a": 1},
    first_run_id="8d0e0000-0000-4000-8000-000000000002",
    created_at="2026-11-25T00:00:00+00:00",
    timeout=7,
)


class TestSpec:
    def test_round_trips_through_json(self) -> None:
        assert TaskSpec.from_json(SPEC.to_json()) == SPEC

    def test_unknown_kind_is_refused(self) -> None:
        with pytest.raises(ValueError, match="kind"):
            TaskSpec.from_json(json.dumps({"kind": "sometimes"}))

    @pytest.mark.parametrize("shards", [1, 16, 64])
    def test_shard_is_stable_and_in_range(self, shards: int) -> None:
        assert 0 <= shard_of(SPEC.task_id, shards) < shards
        assert shard_of(SPEC.task_id, shards) == shard_of(SPEC.task_id, shards)


class TestBuilder:
    @pytest.mark.parametrize(
        ("kind", "schedule", "timetable", "max_active_runs"),
        [
            pytest.param("run_once", None, "OneRunTimetable", 1, id="once"),
            pytest.param("run_scheduled", "*/5 * * * *", "UuidCronTimetable", 16, id="scheduled"),
            pytest.param("run_continuously", None, "UuidContinuousTimetable", 1, id="continuous"),
        ],
    )
    def test_each_kind(self, kind: str, schedule: str | None, timetable: str, max_active_runs: int) -> None:
        dag = build_task_dag(replace(SPEC, kind=kind, schedule=schedule))
        assert dag.dag_id == f"wallaroo_task_{SPEC.task_id}"
        assert type(dag.timetable).__name__ == timetable
        assert dag.max_active_runs == max_active_runs
        assert dag.is_paused_upon_creation is False and dag.catchup is False
        assert {"wallaroo", "wallaroo:workspace:3", f"wallaroo:kind:{kind}"} <= set(dag.tags)
        assert SPEC.task_id in dag.doc_md
        (task,) = dag.tasks
        assert task.task_id == RUN_TASK_ID
        assert task.execution_timeout.total_seconds() == 7

    @pytest.mark.parametrize("kind", ["run_once", "run_scheduled", "run_continuously"])
    def test_a_killed_task_allows_no_run(self, kind: str) -> None:
        dag = build_task_dag(replace(SPEC, kind=kind, schedule="* * * * *", killed=True))
        assert type(dag.timetable).__name__ == "KilledTimetable"
        # Scheduled only, and never due: Airflow refuses manual, backfill and asset runs.
        assert {t.value for t in dag.allowed_run_types} == {"scheduled"}
        assert dag.is_paused_upon_creation is True
        assert "wallaroo:killed" in dag.tags

    def test_a_task_paused_before_its_dag_exists_is_created_paused(self) -> None:
        dag = build_task_dag(replace(SPEC, kind="run_scheduled", schedule="* * * * *", paused=True))
        assert dag.is_paused_upon_creation is True
        assert dag.allowed_run_types is None

    def test_run_once_run_id_is_the_one_the_api_returned(self) -> None:
        dag = build_task_dag(SPEC)
        assert (
            dag.timetable.generate_run_id(run_type=None, run_after=None, data_interval=None)
            == SPEC.first_run_id
        )


class TestLoader:
    def test_a_broken_spec_is_skipped_and_recorded(self, tmp_path: Path) -> None:
        shard = tmp_path / "shard_00"
        shard.mkdir()
        good = replace(SPEC, task_id="11111111-0000-4000-8000-000000000000")
        (shard / f"{good.task_id}.json").write_text(good.to_json())
        (shard / "22222222-0000-4000-8000-000000000000.json").write_text('{"kind": ')
        namespace: dict = {}
        assert load_shard(0, namespace, folder=tmp_path) == 1
        assert list(namespace) == [good.dag_id]
        error = tmp_path / ERRORS_FOLDER / "22222222-0000-4000-8000-000000000000.txt"
        assert "JSONDecodeError" in error.read_text()

    def test_a_fixed_spec_clears_its_error(self, tmp_path: Path) -> None:
        shard = tmp_path / "shard_00"
        shard.mkdir()
        (shard / f"{SPEC.task_id}.json").write_text("{")
        load_shard(0, {}, folder=tmp_path)
        (shard / f"{SPEC.task_id}.json").write_text(SPEC.to_json())
        load_shard(0, {}, folder=tmp_path)
        assert not (tmp_path / ERRORS_FOLDER / f"{SPEC.task_id}.txt").exists()


class TestScheduleOptions:
    def test_the_cron_timetable_reads_the_task_time_zone(self) -> None:
        dag = build_task_dag(replace(SPEC, kind="run_scheduled", schedule="@daily", timezone="Europe/Paris"))
        assert dag.timetable.serialize()["timezone"] == "Europe/Paris"
        assert dag.timetable.serialize()["expression"] == "0 0 * * *"

    def test_no_time_zone_is_utc(self) -> None:
        dag = build_task_dag(replace(SPEC, kind="run_scheduled", schedule="0 8 * * *"))
        assert dag.timetable.serialize()["timezone"] == "UTC"


class TestPresentation:
    """What Airflow's UI shows of a task's DAG: read back through its REST API in integration."""

    NAMED = replace(SPEC, owner_name="alice", workspace_name="team")

    def test_named_task(self) -> None:
        dag = build_task_dag(self.NAMED)
        assert dag.dag_display_name == "n · hello"
        assert dag.owner == "alice"
        assert dag.description is not None
        assert all(word in dag.description for word in ("hello", "team", "run once"))

    def test_unnamed_task_shows_its_orchestration_and_kind(self) -> None:
        dag = build_task_dag(replace(self.NAMED, name=None, kind="run_scheduled", schedule="@daily"))
        assert dag.dag_display_name == "hello (scheduled)"
        assert dag.description is not None and "cron `@daily` in UTC" in dag.description

    def test_killed_task_says_so(self) -> None:
        dag = build_task_dag(replace(self.NAMED, killed=True))
        assert dag.dag_display_name == "n · hello [killed]"
        assert dag.description is not None and "Killed" in dag.description

    def test_owner_falls_back_to_the_user_id(self) -> None:
        assert build_task_dag(SPEC).owner == "admin"


class TestRetries:
    def test_none_by_default(self) -> None:
        (task,) = build_task_dag(SPEC).tasks
        assert task.retries == 0

    def test_airflow_retries_with_exponential_backoff(self) -> None:
        (task,) = build_task_dag(replace(SPEC, retries=3, retry_delay=5)).tasks
        assert task.retries == 3
        assert task.retry_delay.total_seconds() == 5
        assert task.retry_exponential_backoff == 2.0
        assert task.max_retry_delay.total_seconds() == 3600

    def test_the_spec_carries_them(self) -> None:
        spec = replace(SPEC, retries=2, retry_delay=7)
        assert TaskSpec.from_json(spec.to_json()) == spec


class TestNotify:
    def test_a_webhook_becomes_the_operators_notifiers(self) -> None:
        notify = {"url": "http://127.0.0.1:1/h", "events": ["failure"], "secret": "x" * 16}
        (task,) = build_task_dag(replace(SPEC, notify=notify)).tasks
        assert [type(c).__name__ for c in task.on_failure_callback] == ["WebhookNotifier"]
        assert [type(c).__name__ for c in task.on_success_callback] == ["WebhookNotifier"]

    def test_none_without(self) -> None:
        (task,) = build_task_dag(SPEC).tasks
        assert not task.on_failure_callback and not task.on_success_callback
