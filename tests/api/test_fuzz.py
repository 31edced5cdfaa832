"""Schemathesis over every operation of the /v1 app's own OpenAPI document, in-process.

Bounded and seeded (hypothesis ``derandomize``), with every check: no 500, status codes,
content types, headers and bodies as documented, schema-valid data accepted and invalid
data refused.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.api.conftest import token_for

EXAMPLES_PER_OPERATION = 40
#: Operations whose valid requests the schema cannot fully say, so schema-valid data may be
#: refused with a 400: a ZIP's contents, a cron expression, a GraphQL document, a credentials
#: pair. Every other check still runs on them.
SCHEMA_CANNOT_SAY = {
    "POST /api/orchestration/upload",
    "POST /api/task/run_scheduled",
    "POST /graphql",
    "POST /auth/realms/{realm}/protocol/openid-connect/token",
    # The SDK's device login: refused by design (Airflow has no device flow), with the reason.
    "POST /auth/realms/{realm}/protocol/openid-connect/auth/device",
}


@pytest.fixture(scope="session")
def openapi_schema(v1_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/v1/openapi.json", v1_app)


def fuzz(operation: schemathesis.APIOperation, headers: dict[str, str], cases: Counter[str]) -> None:
    """Run one operation's bounded, seeded cases; raise on the first failing one (shrunk)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case: schemathesis.Case) -> None:
        cases[operation.label] += 1
        excluded = [positive_data_acceptance] if operation.label in SCHEMA_CANNOT_SAY else []
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    run()


def test_every_operation(openapi_schema: schemathesis.BaseSchema) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    cases: Counter[str] = Counter()
    failures: dict[str, str] = {}
    for result in openapi_schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, headers, cases)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all failures are reported together
            failures[operation.label] = str(exc)[:3000]
    print(f"schemathesis: {sum(cases.values())} cases over {len(cases)} operations, {len(failures)} failing")
    assert sum(cases.values()) >= 1000, cases
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
