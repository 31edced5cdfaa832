"""Keep the test process's own Airflow away from the developer's ~/airflow and environment.

The test process gets a fresh AIRFLOW_HOME with a SQLite database (the in-process tier
migrates it) and the Simple auth manager with the users the tiers log in as.
"""

from __future__ import annotations

import os
import tempfile

from tests.support.stack import SIMPLE_AUTH_USERS

for _name in [n for n in os.environ if n.startswith("AIRFLOW")]:
    del os.environ[_name]
_HOME = tempfile.mkdtemp(prefix="wallaroo-test-airflow-home-")
os.environ.update(
    {
        "AIRFLOW_HOME": _HOME,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": SIMPLE_AUTH_USERS,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": f"{_HOME}/passwords.json",
        "AIRFLOW__API_AUTH__JWT_SECRET": "in-process-tests-" + "s" * 48,
    }
)

# The shared stacks (``stack``, SQLite and, for ``both_backends``, PostgreSQL) for the compat
# and integration tiers: defined once here so that both tiers share the same stack.
from tests.support.stack_fixtures import pytest_generate_tests, stack  # noqa: E402

__all__ = ["pytest_generate_tests", "stack"]
