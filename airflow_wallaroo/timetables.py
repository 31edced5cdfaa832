"""Timetables of the generated task DAGs: Airflow's own, with UUID run ids.

Wallaroo run ids are UUIDs; Airflow's are ``scheduled__<date>``. The plugin registers
these so the scheduler can deserialize them.

- ``OneRunTimetable`` is run once: exactly one scheduled run, with the id the API chose
  and returned, created by the scheduler itself, so neither a second API call nor an API
  restart can start it twice. A manual run (Airflow's Trigger) gets a fresh UUID.
- ``UuidCronTimetable`` is Airflow's cron trigger timetable; after a pause or an outage it
  makes up at most one missed tick, never a burst.
- ``KilledTimetable`` is a killed task's: schedulable in form (so the DAG may allow only
  scheduled runs, which refuses manual, backfill and asset runs) and never due.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from airflow.sdk import timezone
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable
from airflow.timetables.simple import ContinuousTimetable
from airflow.timetables.trigger import CronTriggerTimetable

SCHEDULED = "scheduled"


def new_run_id() -> str:
    return str(uuid.uuid4())


class OneRunTimetable(Timetable):
    """One scheduled run, with a fixed run id, as soon as the DAG is loaded."""

    description = "Once, with the run id the API returned"

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    @property
    def summary(self) -> str:
        return "run once"

    def serialize(self) -> dict[str, Any]:
        return {"run_id": self.run_id}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls(data["run_id"])

    def infer_manual_data_interval(self, *, run_after: datetime) -> DataInterval:
        return DataInterval.exact(timezone.coerce_datetime(run_after))

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        if last_automated_data_interval is not None:
            return None
        return DagRunInfo.exact(restriction.earliest or timezone.coerce_datetime(timezone.utcnow()))

    def generate_run_id(self, *, run_type: Any = None, **_: Any) -> str:
        # Only the one scheduled run has the id the API returned; a manual one is another run.
        return self.run_id if run_type is None or run_type == SCHEDULED else new_run_id()


class UuidCronTimetable(CronTriggerTimetable):
    """Airflow's cron trigger timetable with UUID run ids, and at most one make-up run.

    Without catchup, Airflow's own timetable runs the latest missed tick; but after a pause
    the DAG's stored next run is an old tick too, so unpausing started two runs at once.
    Here, once a run was itself a make-up for an old tick, the next one is the next tick
    to come.
    """

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        info = super().next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval, restriction=restriction
        )
        if info is None or restriction.catchup or last_automated_data_interval is None:
            return info
        now = timezone.coerce_datetime(timezone.utcnow())
        latest_tick = self._align_to_prev(now)
        if last_automated_data_interval.end < latest_tick:
            following = self._align_to_next(now)
            if restriction.latest is not None and following > restriction.latest:
                return None
            return DagRunInfo.interval(timezone.coerce_datetime(following - self._interval), following)
        return info

    def generate_run_id(self, **_: Any) -> str:
        return new_run_id()


class UuidContinuousTimetable(ContinuousTimetable):
    """Airflow's ``@continuous`` timetable with UUID run ids."""

    def generate_run_id(self, **_: Any) -> str:
        return new_run_id()


class KilledTimetable(Timetable):
    """A killed task's: never due. Its DAG allows only scheduled runs, so none can start."""

    description = "Killed through the Wallaroo API: no run starts again"

    @property
    def summary(self) -> str:
        return "killed"

    def serialize(self) -> dict[str, Any]:
        return {}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls()

    def infer_manual_data_interval(self, *, run_after: datetime) -> DataInterval:
        return DataInterval.exact(timezone.coerce_datetime(run_after))

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        return None

    def generate_run_id(self, **_: Any) -> str:
        return new_run_id()


TIMETABLES = [OneRunTimetable, UuidCronTimetable, UuidContinuousTimetable, KilledTimetable]
