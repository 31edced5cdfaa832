"""Healing and housekeeping: what crashes left half-done, stale specs, kills and pauses to finish.

At start-up the api-server sweeps leftovers, re-renders stale specs and finishes
interrupted kills. While it serves, a housekeeper thread applies pauses that waited for
their DAG (every second) and sweeps leftovers again (every few minutes): a crash of
another process is healed without waiting for a restart of this one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from airflow_wallaroo.airflow_compat.db import new_session
from airflow_wallaroo.core import locks, permissions
from airflow_wallaroo.core.layout import INCOMING_PREFIX
from airflow_wallaroo.core.permissions import make_dir
from airflow_wallaroo.packaging.environments import sweep_abandoned_builds
from airflow_wallaroo.runners.isolation import isolation_warning
from airflow_wallaroo.services import orchestrations, specs, tasks
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.artifacts import open_artifact_store, sweep_abandoned_files
from airflow_wallaroo.usecases.kill_task import finish_interrupted_kills

log = logging.getLogger(__name__)

#: Unreferenced archives, and object-storage temporaries (which cannot be locked), younger
#: than this may belong to an upload in progress in another api-server.
SWEEP_AGE_SECONDS = 15 * 60
PAUSE_INTERVAL_SECONDS = 1.0
SWEEP_INTERVAL_SECONDS = 300.0


def sweep_leftovers(
    settings: WallarooSettings, older_than_seconds: float = SWEEP_AGE_SECONDS
) -> dict[str, int]:
    """Remove what crashes left: partial uploads and archive writes, half-built environments and
    free build locks (each known by its free lock, not its age), and archives no row points at."""
    store = open_artifact_store(settings.artifact_store)
    removed = {
        "incoming": sweep_abandoned_files(settings.layout.incoming, INCOMING_PREFIX),
        "temporaries": store.sweep_temporaries(older_than_seconds),
        "builds": sweep_abandoned_builds(settings.layout.envs),
    }
    with new_session() as session:
        removed["unreferenced_archives"] = orchestrations.sweep_unreferenced_archives(
            session, store, older_than_seconds
        )
    if any(removed.values()):
        log.info("Swept leftovers: %s", removed)
    return removed


def reconcile(settings: WallarooSettings) -> int:
    """Re-render every task spec that is missing or stale compared with the tables."""
    with new_session() as session:
        return specs.reconcile_specs(session, settings)


def finish_kills(settings: WallarooSettings) -> int:
    """Finish, in the background, kills that a restart interrupted."""
    return finish_interrupted_kills(settings)


def apply_pending_pauses(settings: WallarooSettings) -> int:
    """Apply the pauses and resumes that waited for their task's DAG to exist."""
    with new_session() as session:
        return tasks.apply_pending_pauses(session)


def replace_overlapping_runs(settings: WallarooSettings) -> int:
    """Scheduled tasks whose concurrency_policy is replace: stop a run once a newer one exists."""
    with new_session() as session:
        return tasks.replace_overlapping_runs(session)


def harden_data_folder(settings: WallarooSettings) -> None:
    """The data folder's modes: user code reaches its venv and working dir, nothing else."""
    permissions.harden(settings.layout, open_artifact_store(settings.artifact_store).local_root())
    warning = isolation_warning(settings)
    if warning:
        log.warning("%s", warning)


def heal_at_start(settings: WallarooSettings) -> None:
    """Every start-up step; one that fails is logged and never stops the API.

    Several api-server processes start together: one of them heals (a lock in the shared
    data folder), the others go on serving.
    """
    make_dir(settings.data_folder, permissions.TRAVERSE)
    fd = locks.acquire(settings.data_folder / ".heal.lock", blocking=False)
    if fd is None:
        log.info("Another api-server process heals the data folder")
        return
    try:
        for step in (harden_data_folder, sweep_leftovers, reconcile, finish_kills, apply_pending_pauses):
            try:
                step(settings)
            except Exception:  # housekeeping: log it, serve anyway
                log.exception("Start-up step %s failed", step.__name__)
    finally:
        locks.release(fd)


class Housekeeper:
    """A daemon thread of the api-server: pending pauses and replaced runs every second, sweeps
    every few minutes.

    Several api-server processes may each run one: applying a pause is idempotent, and a
    sweep runs in one of them at a time (a lock in the data folder).
    """

    def __init__(
        self,
        settings: WallarooSettings,
        pause_interval: float = PAUSE_INTERVAL_SECONDS,
        sweep_interval: float = SWEEP_INTERVAL_SECONDS,
    ) -> None:
        self.settings = settings
        self.pause_interval = pause_interval
        self.sweep_interval = sweep_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wallaroo-housekeeper", daemon=True)

    def start(self) -> Housekeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        next_sweep = time.monotonic() + self.sweep_interval
        while not self._stop.wait(self.pause_interval):
            self._run(apply_pending_pauses)
            self._run(replace_overlapping_runs)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self.sweep_interval
                self._sweep_if_free()

    def _sweep_if_free(self) -> None:
        fd = locks.acquire(self.settings.data_folder / ".sweep.lock", blocking=False)
        if fd is None:
            return  # another api-server process is sweeping
        try:
            self._run(sweep_leftovers)
            # A kill whose finishing process died (a restarted api-server worker) is finished here.
            self._run(finish_kills)
        finally:
            locks.release(fd)

    def _run(self, step: Callable[[WallarooSettings], object]) -> None:
        try:
            step(self.settings)
        except Exception:
            log.exception("Housekeeping step %s failed", step.__name__)
