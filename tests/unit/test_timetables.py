"""The generated DAGs' timetables: run ids, at most one make-up run, and a killed task's."""

from __future__ import annotations

import uuid
from datetime import datetime

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from airflow_wallaroo import timetables
from airflow_wallaroo.timetables import KilledTimetable, OneRunTimetable, UuidCronTimetable

NO_CATCHUP = TimeRestriction(earliest=pendulum.datetime(2026, 1, 1, tz="UTC"), latest=None, catchup=False)


def at(hour: int, minute: int, second: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, 27, hour, minute, second, tz="UTC")


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[pendulum.DateTime]:
    """The clock both our timetable and Airflow's read; tests set ``now[0]``."""
    clock = [at(12, 0)]
    from airflow.timetables import trigger

    monkeypatch.setattr(trigger, "utcnow", lambda: clock[0])
    monkeypatch.setattr(timetables.timezone, "utcnow", lambda: clock[0])
    return clock


def next_run(table: UuidCronTimetable, last_end: pendulum.DateTime) -> datetime:
    info = table.next_dagrun_info(
        last_automated_data_interval=DataInterval(last_end, last_end), restriction=NO_CATCHUP
    )
    assert info is not None
    return info.run_after


class TestOneRun:
    def test_the_scheduled_run_has_the_id_the_api_returned(self) -> None:
        assert OneRunTimetable("fixed").generate_run_id(run_type="scheduled") == "fixed"

    def test_a_manual_run_gets_a_new_uuid(self) -> None:
        """Airflow's Trigger on a run-once DAG made a second run with the same id: 409."""
        manual = OneRunTimetable("fixed").generate_run_id(run_type="manual")
        assert manual != "fixed" and uuid.UUID(manual)


class TestCronMakesUpAtMostOneTick:
    def test_an_ordinary_tick_is_followed_by_the_next(self, now: list[pendulum.DateTime]) -> None:
        now[0] = at(12, 0, 2)
        assert next_run(UuidCronTimetable("* * * * *", timezone="UTC"), at(12, 0)) == at(12, 1)

    def test_after_a_long_pause_one_late_run_then_the_next_tick(self, now: list[pendulum.DateTime]) -> None:
        """Unpausing fired two runs at once: the stored old tick, then the latest missed one."""
        now[0] = at(12, 30, 5)
        # The scheduler just created the run for the stale tick of 12:01 (stored before the pause).
        assert next_run(UuidCronTimetable("* * * * *", timezone="UTC"), at(12, 1)) == at(12, 31)

    def test_run_ids_are_uuids(self) -> None:
        assert uuid.UUID(UuidCronTimetable("* * * * *", timezone="UTC").generate_run_id())


class TestKilled:
    def test_never_due(self) -> None:
        table = KilledTimetable()
        assert table.next_dagrun_info(last_automated_data_interval=None, restriction=NO_CATCHUP) is None

    def test_round_trips(self) -> None:
        assert isinstance(KilledTimetable.deserialize(KilledTimetable().serialize()), KilledTimetable)

    def test_is_registered_by_the_plugin(self) -> None:
        from airflow_wallaroo.plugin import WallarooPlugin

        assert KilledTimetable in WallarooPlugin.timetables


Moment = tuple[int, int, int, int]


class TestCronInATimeZone:
    """``timezone`` on run_scheduled: Airflow reads the ticks in that zone, across DST."""

    PARIS = UuidCronTimetable("30 8 * * *", timezone="Europe/Paris")

    def utc(self, month: int, day: int, hour: int, minute: int) -> pendulum.DateTime:
        return pendulum.datetime(2026, month, day, hour, minute, tz="UTC")

    @pytest.mark.parametrize(
        ("last", "following"),
        [
            # Winter time (UTC+1): 08:30 in Paris is 07:30 UTC; the clocks go forward on 29 March.
            pytest.param((3, 28, 7, 30), (3, 29, 6, 30), id="spring-forward"),
            # Summer time (UTC+2) until 25 October, then back to UTC+1.
            pytest.param((10, 24, 6, 30), (10, 25, 7, 30), id="fall-back"),
        ],
    )
    def test_the_local_time_holds_across_dst(
        self, now: list[pendulum.DateTime], last: Moment, following: Moment
    ) -> None:
        now[0] = self.utc(*last).add(seconds=2)
        assert next_run(self.PARIS, self.utc(*last)) == self.utc(*following)

    def test_the_zone_survives_serialization(self) -> None:
        again = UuidCronTimetable.deserialize(self.PARIS.serialize())
        assert isinstance(again, UuidCronTimetable)
        assert again.serialize()["timezone"] == "Europe/Paris"

    @pytest.mark.parametrize(("macro", "expression"), [("@daily", "0 0 * * *"), ("@hourly", "0 * * * *")])
    def test_macros_are_airflows(self, now: list[pendulum.DateTime], macro: str, expression: str) -> None:
        now[0] = self.utc(6, 1, 0, 0).add(seconds=2)
        local = UuidCronTimetable(macro, timezone="Asia/Kolkata")  # UTC+5:30, no DST
        expected = UuidCronTimetable(expression, timezone="Asia/Kolkata")
        last = self.utc(5, 31, 18, 30)
        assert next_run(local, last) == next_run(expected, last)
