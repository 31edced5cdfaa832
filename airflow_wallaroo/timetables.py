"""Timetables of the generated task DAGs: Airflow's own, with UUID run ids.

Wallaroo run ids are UUIDs; Airflow's are ``scheduled__<date>``. These subclasses only
change ``generate_run_id``. The plugin registers them so the scheduler can deserialize
them. ``OneRunTimetable`` is run once: exactly one run, with the id the API chose and
returned, created by the scheduler itself, so neither a second API call nor an API
restart can start it twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from airflow.sdk import timezone
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable
from airflow.timetables.simple import ContinuousTimetable
from airflow.timetables.trigger import CronTriggerTimetable


class OneRunTimetable(Timetable):
    """One run, with a fixed run id, as soon as the DAG is loaded."""

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

    def generate_run_id(self, **_: Any) -> str:
        return self.run_id


class UuidCronTimetable(CronTriggerTimetable):
    """Airflow's cron trigger timetable with UUID run ids."""

    def generate_run_id(self, **_: Any) -> str:
        return str(uuid.uuid4())


class UuidContinuousTimetable(ContinuousTimetable):
    """Airflow's ``@continuous`` timetable with UUID run ids."""

    def generate_run_id(self, **_: Any) -> str:
        return str(uuid.uuid4())


TIMETABLES = [OneRunTimetable, UuidCronTimetable, UuidContinuousTimetable]
