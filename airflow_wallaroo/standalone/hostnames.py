"""``[core] hostname_callable`` of the celery topology: each worker names itself.

Workers on one machine share its hostname; Airflow records a task instance's host (and
fetches its logs from there). Each worker of the topology gets its own loopback address
as a name (``WALLAROO_WORKER_HOSTNAME``), so task instances say which worker ran them;
any other process falls back to Airflow's own fully qualified name.
"""

from __future__ import annotations

import os
import socket

HOSTNAME_ENV = "WALLAROO_WORKER_HOSTNAME"


def worker_hostname() -> str:
    return os.environ.get(HOSTNAME_ENV) or socket.getfqdn()
