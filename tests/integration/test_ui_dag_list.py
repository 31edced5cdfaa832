"""Airflow's own DAG list and run page show a task as the task (issue 15), in headless Chromium.

The DAG list's search box finds a task's DAG by its orchestration's name, and shows its
display name and owner; a run stopped by a kill shows its note. With
``WALLAROO_SCREENSHOT_DIR`` set the screenshots go there (``docs/screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_task_features import airflow_dag, dag_id, running_run
from tests.integration.test_ui import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path
from tests.support.helpers import unique
from tests.support.stack import AirflowStack
from tests.support.tasks import ready_example, start_task

pytestmark = pytest.mark.parametrize(
    "stack",
    [
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.skip(reason="a browser test: the SQLite stack is enough")),
    ],
    indirect=True,
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_dag_list_and_a_killed_run_read_well(
    stack: AirflowStack, browser: object, admin: httpx.Client, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    workspace = admin.post("/workspaces/create", json={"workspace_name": unique("ui-list")}).json()
    orch_id = ready_example(admin, workspace["workspace_id"], "hello")
    orch_name = admin.post("/orchestration/get_by_id", json={"id": orch_id}).json()["name"]
    nightly = start_task(
        admin,
        "run_scheduled",
        workspace["workspace_id"],
        orch_id,
        name="nightly report",
        schedule="30 2 * * *",
        timezone="Europe/Paris",
    )
    stopped = start_task(admin, "run_continuously", workspace["workspace_id"], orch_id, json={"sleep": 300})
    run_id = running_run(admin, stack, stopped)
    assert admin.post("/task/kill", json={"id": stopped}).status_code == 202
    with stack.airflow_api("admin") as api:
        airflow_dag(api, nightly)
        airflow_dag(api, stopped, lambda d: d["dag_display_name"].endswith(" [killed]"))

    context = browser.new_context(viewport={"width": 1400, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "_token", "value": stack.token("admin"), "url": stack.base_url}])
    page = context.new_page()
    taken: list[Path] = []

    def shot(name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        taken.append(path)

    named, killed = f"nightly report · {orch_name}", f"{orch_name} (continuous) [killed]"
    # The shared stack may hold hundreds of other DAGs (the load tests'): each of ours is looked
    # for through the search box, never on the first page of the whole list.
    page.goto(f"{stack.base_url}/dags")
    # The search box matches display names by prefix: a task by its name, an unnamed one by its
    # orchestration's. Each search applies (debounced) once the packaging DAG leaves the list.
    search = page.get_by_placeholder(re.compile("search", re.IGNORECASE)).first
    for term, found, gone in ((orch_name, killed, named), ("nightly rep", named, killed)):
        search.fill(term)
        expect(page.get_by_text("wallaroo_packaging")).to_have_count(0, timeout=TIMEOUT_MS)
        expect(page.get_by_text(found)).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_text(gone)).to_have_count(0, timeout=TIMEOUT_MS)
        if term == orch_name:
            shot("airflow-dag-list")

    page.goto(f"{stack.base_url}/dags/{dag_id(stopped)}/runs/{run_id}")
    note = page.get_by_text(re.compile("Killed through the Wallaroo API by admin")).first
    expect(note).to_be_visible(timeout=TIMEOUT_MS)
    shot("airflow-killed-run")
    context.close()

    target = os.environ.get("WALLAROO_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for path in taken:
            shutil.copy(path, Path(target) / path.name)
