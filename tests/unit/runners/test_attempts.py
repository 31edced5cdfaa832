"""A try that finds its predecessor started and never ended was interrupted by a crash."""

from __future__ import annotations

from pathlib import Path

from airflow_wallaroo.runners import attempts


def test_a_first_try_runs(tmp_path: Path) -> None:
    assert attempts.begin(tmp_path / "run.attempt", 1, retries=0) is None


def test_a_try_after_one_that_never_ended_is_refused_without_retries(tmp_path: Path) -> None:
    path = tmp_path / "run.attempt"
    attempts.begin(path, 1, retries=0)  # ... and the worker dies: no end
    interrupted = attempts.begin(path, 2, retries=0)
    assert interrupted is not None and interrupted.previous_try == 1
    assert "interrupted" in interrupted.message(2) and "try 1" in interrupted.message(2)


def test_with_retries_the_next_try_runs(tmp_path: Path) -> None:
    path = tmp_path / "run.attempt"
    attempts.begin(path, 1, retries=2)
    assert attempts.begin(path, 2, retries=2) is None


def test_a_try_after_one_that_ended_runs(tmp_path: Path) -> None:
    """A user's Clear of a finished run in Airflow's UI re-runs it."""
    path = tmp_path / "run.attempt"
    attempts.begin(path, 1, retries=0)
    attempts.end(path, 1)
    assert attempts.begin(path, 2, retries=0) is None


def test_a_try_after_a_refused_one_runs(tmp_path: Path) -> None:
    """Clearing an interrupted run again re-runs it: the refusal itself ended cleanly."""
    path = tmp_path / "run.attempt"
    attempts.begin(path, 1, retries=0)
    assert attempts.begin(path, 2, retries=0) is not None
    assert attempts.begin(path, 3, retries=0) is None
