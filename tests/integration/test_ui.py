"""The Wallaroo view in Airflow's UI, in headless Chromium: log in, browse to a run, follow it to Airflow.

Playwright drives Debian's ``chromium`` (``make test`` installs it when missing and run as root);
without a browser the test skips and says so. With ``WALLAROO_SCREENSHOT_DIR`` set, the
screenshots are also written there (that is how ``docs/screenshots`` were made).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.helpers import unique
from tests.support.stack import AirflowStack
from tests.support.tasks import ready_example, runs_of, start_task, wait_task_status

# The view is an HTTP client of the API: its browser test runs on the SQLite stack only.

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine: `apt-get install chromium` (make test does it when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[list[Path]]:
    """Screenshots taken by the test; copied to $WALLAROO_SCREENSHOT_DIR when set."""
    taken: list[Path] = []
    yield taken
    target = os.environ.get("WALLAROO_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for path in taken:
            shutil.copy(path, Path(target) / path.name)


@pytest.fixture
def finished_run(admin: httpx.Client) -> dict[str, str]:
    """A workspace with a ready orchestration and a run-once task whose run succeeded."""
    name = unique("ui")
    workspace_id = admin.post("/workspaces/create", json={"workspace_name": name}).json()["workspace_id"]
    orchestration_id = ready_example(admin, workspace_id, "hello")
    orchestration = admin.post("/orchestration/get_by_id", json={"id": orchestration_id}).json()
    task_id = start_task(admin, "run_once", workspace_id, orchestration_id, name="ui-task", json={"sleep": 1})
    assert wait_task_status(admin, task_id, {"success", "failed"}, timeout=240)["status"] == "success"
    [run] = runs_of(admin, task_id)
    return {
        "workspace": name,
        "workspace_id": str(workspace_id),
        "orchestration": orchestration["name"],
        "orchestration_id": orchestration_id,
        "task_id": task_id,
        "run_id": run["run_id"],
    }


def test_browse_from_workspaces_to_a_run_and_on_to_airflow(
    stack: AirflowStack, browser: object, finished_run: dict[str, str], shots: list[Path], tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    api_calls: list[tuple[str, int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            api_calls.append((r.url, r.status, r.request.headers.get("authorization")))
            if "/v1/api/" in r.url
            else None
        ),
    )

    def shot(name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        shots.append(path)

    # Airflow's own login page, reached by opening the view.
    page.goto(f"{stack.base_url}/plugin/wallaroo")
    page.wait_for_url(re.compile(r".*/auth/login.*"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(stack.password("admin"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/plugin/wallaroo.*"))

    # The navigation has the Wallaroo entry; the view is its iframe.
    expect(page.get_by_role("link", name="Wallaroo")).to_be_visible()
    view = page.frame_locator("iframe[title='Wallaroo']")
    workspace_link = view.locator("#workspaces").get_by_role("link", name=finished_run["workspace"])
    expect(workspace_link).to_be_visible()
    shot("wallaroo-workspaces")

    workspace_link.click()
    orchestrations = view.locator("#orchestrations")
    row = orchestrations.locator("tr", has_text=finished_run["orchestration"])
    expect(row).to_contain_text("ready")
    packaging = row.get_by_role("link", name="log")
    assert "/dags/wallaroo_packaging/runs/" in (packaging.get_attribute("href") or "")
    expect(view.locator("#tasks")).to_contain_text("ui-task")
    page.wait_for_url(re.compile(rf".*/plugin/wallaroo/v1/ui/\?ws={finished_run['workspace_id']}$"))
    shot("wallaroo-workspace")

    orchestrations.get_by_role("link", name=finished_run["orchestration"]).click()
    tasks = view.locator("#tasks")
    expect(tasks.locator("tr", has_text="ui-task")).to_contain_text("success")
    dag_link = tasks.get_by_role("link", name="DAG")
    assert (dag_link.get_attribute("href") or "").endswith(f"/dags/wallaroo_task_{finished_run['task_id']}")

    tasks.get_by_role("link", name="ui-task").click()
    runs = view.locator("#runs")
    expect(runs.locator("tr", has_text=finished_run["run_id"])).to_contain_text("success")
    shot("wallaroo-task")

    runs.get_by_role("link", name="logs").click()
    expect(view.locator("#logs")).to_contain_text("hello: done")
    expect(view.locator("#logs")).to_contain_text('hello: arguments = {"sleep": 1}')
    shot("wallaroo-run")

    # Every call the view made used the browser's Airflow cookie: it never holds a token.
    assert api_calls and all(status == 200 and auth is None for _, status, auth in api_calls), api_calls

    # The run's link opens Airflow's own run page, in Airflow's window.
    view.get_by_role("link", name="run page").click()
    run_path = f"/dags/wallaroo_task_{finished_run['task_id']}/runs/{finished_run['run_id']}"
    page.wait_for_url(re.compile(rf".*{re.escape(run_path)}$"))
    expect(page.get_by_text(finished_run["run_id"]).first).to_be_visible()
    assert urlsplit(page.url).path == run_path
    shot("airflow-run-page")
    context.close()


def test_api_docs_are_in_the_docs_menu_and_work_offline(
    stack: AirflowStack, browser: object, admin: httpx.Client
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def local_only(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        if urlsplit(request.url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(request.url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", local_only)
    context.add_cookies([{"name": "_token", "value": stack.token("admin"), "url": stack.base_url}])
    page = context.new_page()
    page.goto(f"{stack.base_url}/")
    page.get_by_role("button", name="Docs").click()
    docs_item = page.get_by_role("menuitem", name="Wallaroo API")
    expect(docs_item).to_be_visible()
    assert (docs_item.get_attribute("href") or "").endswith("/v1/docs")

    page.goto(f"{stack.base_url}/v1/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/workspaces/list").first).to_be_visible()
    assert outside == [], outside  # Swagger UI loaded nothing from outside this machine
    context.close()
