"""Connection arguments of the embedded default's SQLite database, read by every component.

SQLite has one writer at a time. Airflow sets WAL (readers never wait for the writer) but
leaves Python's default busy timeout of 5 s: under a burst (200 tasks created at once
while the scheduler and the dag-processor write too) a writer waited longer and the
dag-processor died on ``database is locked``. With 30 s a writer waits its turn instead.

Airflow imports these dicts by path (``[database] sql_alchemy_connect_args`` and
``sql_alchemy_connect_args_async``) in each process it configures: scheduler,
dag-processor, triggerer, api-server, ``airflow`` commands and the task supervisors.
"""

from __future__ import annotations

#: Seconds a connection waits for the write lock before ``database is locked``.
BUSY_TIMEOUT_SECONDS = 30.0

#: For ``sqlite3.connect`` (Airflow adds ``check_same_thread`` to it itself).
CONNECT_ARGS: dict[str, object] = {"timeout": BUSY_TIMEOUT_SECONDS}
#: For ``aiosqlite.connect``, which passes them on to ``sqlite3.connect``.
ASYNC_CONNECT_ARGS: dict[str, object] = {"timeout": BUSY_TIMEOUT_SECONDS}

#: The settings that point Airflow at the dicts above.
SETTINGS = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": f"{__name__}.CONNECT_ARGS",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC": f"{__name__}.ASYNC_CONNECT_ARGS",
}
