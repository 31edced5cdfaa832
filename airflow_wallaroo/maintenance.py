"""Start-up healing: sweep what crashes left half-done, re-render stale task specs."""

from __future__ import annotations

import logging

from airflow_wallaroo.settings import WallarooSettings

log = logging.getLogger(__name__)

#: Leftovers younger than this may belong to an upload in progress in another worker.
SWEEP_AGE_SECONDS = 15 * 60


def sweep_leftovers(settings: WallarooSettings, older_than_seconds: float = SWEEP_AGE_SECONDS) -> dict[str, int]:
    """Remove stale partial uploads, temp archive writes, and archives no row points at."""
    from airflow.utils.session import create_session

    from airflow_wallaroo.api.multipart import sweep_incoming
    from airflow_wallaroo.services.orchestrations import sweep_unreferenced_archives
    from airflow_wallaroo.store.artifacts import open_artifact_store

    store = open_artifact_store(settings.artifact_store)
    removed = {
        "incoming": sweep_incoming(settings.data_folder / "incoming", older_than_seconds),
        "temporaries": store.sweep_temporaries(older_than_seconds),
    }
    with create_session(scoped=False) as session:
        removed["unreferenced_archives"] = sweep_unreferenced_archives(session, store, older_than_seconds)
    if any(removed.values()):
        log.info("Swept leftovers: %s", removed)
    return removed


def reconcile(settings: WallarooSettings) -> int:
    """Re-render every task spec that is missing or stale compared with the tables."""
    from airflow.utils.session import create_session

    from airflow_wallaroo.services.specs import reconcile_specs

    with create_session(scoped=False) as session:
        return reconcile_specs(session, settings)


def finish_kills(settings: WallarooSettings) -> int:
    """Finish, in the background, kills that a restart interrupted."""
    from airflow_wallaroo.services.task_control import finish_interrupted_kills

    return finish_interrupted_kills(settings)
