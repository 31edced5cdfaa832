"""Register a received upload: validate and store it, record it, start its packaging.

The body has already been streamed to disk by the HTTP layer without holding a database
connection; this step opens its own short session only once the bytes are all here.
"""

from __future__ import annotations

from airflow_wallaroo.airflow_compat.db import new_session
from airflow_wallaroo.services import orchestrations, packaging
from airflow_wallaroo.services.callers import Caller
from airflow_wallaroo.settings import WallarooSettings


def register_upload(
    caller: Caller, upload: orchestrations.IncomingArchive, settings: WallarooSettings
) -> str:
    """Add the orchestration and trigger its packaging; return its id.

    The row is committed before the trigger; a trigger lost to a crash is made again
    when the orchestration is next read (its packaging run id is fixed).
    """
    with new_session() as session:
        row = orchestrations.add_orchestration(session, caller, upload, settings)
        session.commit()
        packaging.trigger_packaging(row, caller.username)
        return row.id
