"""Start-up healing: sweep what crashes left half-done, re-render stale specs, finish kills."""

from __future__ import annotations

import logging

from airflow_wallaroo.airflow_compat.db import new_session
from airflow_wallaroo.core.layout import INCOMING_PREFIX
from airflow_wallaroo.services import orchestrations, specs
from airflow_wallaroo.settings import WallarooSettings
from airflow_wallaroo.store.artifacts import open_artifact_store, sweep_stale_files
from airflow_wallaroo.usecases.kill_task import finish_interrupted_kills

log = logging.getLogger(__name__)

#: Leftovers younger than this may belong to an upload in progress in another worker.
SWEEP_AGE_SECONDS = 15 * 60


def sweep_leftovers(
    settings: WallarooSettings, older_than_seconds: float = SWEEP_AGE_SECONDS
) -> dict[str, int]:
    """Remove stale partial uploads, temp archive writes, and archives no row points at."""
    store = open_artifact_store(settings.artifact_store)
    removed = {
        "incoming": sweep_stale_files(settings.layout.incoming, INCOMING_PREFIX, older_than_seconds),
        "temporaries": store.sweep_temporaries(older_than_seconds),
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


def heal_at_start(settings: WallarooSettings) -> None:
    """Every start-up step; one that fails is logged and never stops the API."""
    for step in (sweep_leftovers, reconcile, finish_kills):
        try:
            step(settings)
        except Exception:  # housekeeping: log it, serve anyway
            log.exception("Start-up step %s failed", step.__name__)
