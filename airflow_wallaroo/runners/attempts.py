"""Which try of a run started, and whether it ended: how a platform crash is told from a retry.

When a worker or the scheduler dies mid-run, Airflow resets the run's task instance and
starts it again as a new try, from the start. For user code that is not a retry it asked
for: the first try never ended. Each try records itself in the run's attempt file when it
starts and when its user code ends; a try that finds its predecessor started but never
ended is refused (the run ends ``failure``, saying it was interrupted) unless the task asks
for retries. A later try after that refusal, or after a try that ended, runs normally: a
user's "Clear" in Airflow's UI re-runs as it should.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STARTED = "started"
#: Shown at the end of the logs of a run whose user code was cut off by a crash or a kill from outside.
CUT_OFF_NOTE = (
    "wallaroo: this run was interrupted before its code ended (its task process, worker or scheduler "
    "stopped, or Airflow failed the run); it is not run again"
)
ENDED = "ended"
REFUSED = "refused"


@dataclass(frozen=True)
class Interrupted:
    """The try before this one started and never ended."""

    previous_try: int
    started_at: float

    def message(self, try_number: int) -> str:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started_at))
        return (
            f"wallaroo: this run was interrupted: try {self.previous_try}, started {when}, never ended "
            f"(its worker or the scheduler died). Try {try_number} does not run the code again, as the "
            "task asks for no retries."
        )


def begin(path: Path, try_number: int, retries: int) -> Interrupted | None:
    """Record that ``try_number`` starts; return why it must not, if the previous try was cut off."""
    previous = _read(path) or {}
    previous_try = int(str(previous.get("try", 0)))
    if previous.get("state") == STARTED and previous_try < try_number:
        interrupted = Interrupted(previous_try=previous_try, started_at=float(str(previous.get("at", 0))))
        if retries <= 0:
            _write(path, {"try": try_number, "state": REFUSED, "at": time.time()})
            return interrupted
    _write(path, {"try": try_number, "state": STARTED, "at": time.time()})
    return None


def was_cut_off(path: Path) -> bool:
    """True when the last try of the run started its user code and never saw it end."""
    return (_read(path) or {}).get("state") == STARTED


def end(path: Path, try_number: int) -> None:
    """Record that the user code of ``try_number`` ended by itself (any exit code, or its timeout)."""
    _write(path, {"try": try_number, "state": ENDED, "at": time.time()})


def _read(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".tmp-attempt-", delete=False) as tmp:
        json.dump(data, tmp)
    os.replace(tmp.name, path)
