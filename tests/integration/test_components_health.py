"""The product's components, as Airflow itself reports them."""

from __future__ import annotations

import httpx
import pytest

from tests.support.stack import AirflowStack

# The metadatabase is one of the components: check it on each backend.
pytestmark = pytest.mark.both_backends


@pytest.mark.parametrize("component", ["scheduler", "dag_processor", "triggerer", "metadatabase"])
def test_every_airflow_component_is_healthy(stack: AirflowStack, component: str) -> None:
    health = httpx.get(f"{stack.base_url}/api/v2/monitor/health").json()
    assert health[component]["status"] == "healthy", health
