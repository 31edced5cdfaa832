"""Task features beyond the seed that need a real scheduler (issue 15).

What a request alone decides (time zones, macros, bounds) is tested in
``tests/api/test_task_options.py``; timetables and DAG building in ``tests/unit``.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.support.helpers import assert_error, unique
from tests.support.stack import AirflowStack
from tests.support.tasks import logs, ready_example, runs_of, start_task, wait_until
from tests.support.webhooks import webhook_receiver


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("feat")}).json()["workspace_id"]


@pytest.fixture
def hello(admin: httpx.Client, workspace: int) -> str:
    return ready_example(admin, workspace, "hello")


def dag_id(task_id: str) -> str:
    return f"wallaroo_task_{task_id}"


def airflow_dag(api: httpx.Client, task_id: str, check: object = None) -> dict:
    """The task's DAG as Airflow's REST API shows it, once it exists (and ``check`` holds)."""

    def probe() -> dict | None:
        answer = api.get(f"/dags/{dag_id(task_id)}")
        if answer.status_code != 200:
            return None
        dag: dict = answer.json()
        return dag if check is None or check(dag) else None  # type: ignore[operator]

    found: dict = wait_until(probe, f"the DAG of task {task_id} in Airflow's REST API", timeout=120)
    return found


def running_run(client: httpx.Client, stack: AirflowStack, task_id: str) -> str:
    """The id of a run whose user code has started (the runner wrote its pid file)."""

    def probe() -> str | None:
        pids = list((stack.data_folder / "runs" / task_id).glob("*.pid"))
        if pids:
            return pids[0].stem
        ended = [r for r in runs_of(client, task_id) if r["status"] != "running"]
        assert not ended, (ended, logs(client, ended[0]["run_id"]))
        return None

    run_id: str = wait_until(probe, f"a user process of task {task_id}", timeout=180)
    assert run_id in {r["run_id"] for r in runs_of(client, task_id)}
    return run_id


def test_a_task_reads_well_in_airflows_ui(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    """Display name, owner and description through Airflow's REST API; the DAG list finds it
    by task or orchestration name; paused and killed are told apart; a killed run has a note."""
    orch_name = admin.post("/orchestration/get_by_id", json={"id": hello}).json()["name"]
    name = unique("report")
    task_id = start_task(admin, "run_continuously", workspace, hello, name=name, json={"sleep": 300})
    with stack.airflow_api("admin") as api:
        dag = airflow_dag(api, task_id)
        assert dag["dag_display_name"] == f"{name} · {orch_name}"
        assert dag["owners"] == ["admin"]
        assert all(word in dag["description"] for word in (orch_name, "continuous", "workspace"))
        for pattern in (name, orch_name):
            found = api.get("/dags", params={"dag_display_name_pattern": pattern}).json()["dags"]
            assert [d["dag_id"] for d in found] == [dag_id(task_id)], pattern

        run_id = running_run(admin, stack, task_id)
        assert admin.post("/task/pause", json={"id": task_id, "pause": True}).status_code == 202
        paused = airflow_dag(api, task_id, lambda d: d["is_paused"])
        assert not paused["dag_display_name"].endswith("[killed]")
        assert "wallaroo:killed" not in {t["name"] for t in paused["tags"]}

        assert admin.post("/task/kill", json={"id": task_id}).status_code == 202
        killed = airflow_dag(api, task_id, lambda d: d["dag_display_name"].endswith(" [killed]"))
        assert killed["is_paused"] and "wallaroo:killed" in {t["name"] for t in killed["tags"]}
        run = api.get(f"/dags/{dag_id(task_id)}/dagRuns/{run_id}").json()
        assert run["state"] == "failed"
        assert run["note"].startswith("Killed through the Wallaroo API by admin at "), run["note"]


def test_run_now_starts_a_run_like_airflows_trigger(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    """A scheduled task whose next tick is far away runs at once, listed like any other run."""
    task_id = start_task(admin, "run_scheduled", workspace, hello, schedule="0 0 1 1 *", name=unique("now"))
    with stack.airflow_api("admin") as api:
        airflow_dag(api, task_id)
        answer = admin.post("/task/run_now", json={"id": task_id})
        assert answer.status_code == 201, answer.text
        run_id = answer.json()["run_id"]
        run = api.get(f"/dags/{dag_id(task_id)}/dagRuns/{run_id}").json()
        assert run["run_type"] == "manual" and run["triggered_by"] == "rest_api"
        assert run["note"] == "Run now through the Wallaroo API by admin"

    def finished() -> dict | None:
        details = admin.post("/task/get_run_details", json={"task": task_id, "pod_id": run_id}).json()
        return details if details["status"] != "running" else None

    assert wait_until(finished, f"run {run_id} to end")["status"] == "success"
    assert [r["run_id"] for r in runs_of(admin, task_id)] == [run_id]

    assert admin.post("/task/kill", json={"id": task_id}).status_code == 202
    assert_error(admin.post("/task/run_now", json={"id": task_id}), 409, "killed")
    once = start_task(admin, "run_once", workspace, hello)
    assert_error(admin.post("/task/run_now", json={"id": once}), 409, "runs once")


def test_retries_back_off_and_every_try_shows(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    """A failing run is tried 3 times, each wait at least twice the one before; every try's
    number and output can be read."""
    task_id = start_task(admin, "run_once", workspace, hello, json={"fail": True}, retries=2, retry_delay=2)
    assert admin.post("/task/get_by_id", json={"id": task_id}).json()["retries"] == 2

    def ended() -> list[dict] | None:
        found = runs_of(admin, task_id)
        return found if found and found[0]["status"] != "running" else None

    (run,) = wait_until(ended, f"the run of task {task_id} to end its tries", timeout=240)
    assert run["status"] == "failure" and run["try_number"] == 3
    details = admin.post("/task/get_run_details", json={"task": task_id, "pod_id": run["run_id"]}).json()
    assert details["try_number"] == 3
    lines = logs(admin, run["run_id"])
    assert sum("failing on purpose" in line for line in lines) == 3, lines
    assert any("try 2 of this run (a retry)" in line for line in lines), lines
    assert any("try 3 of this run (a retry)" in line for line in lines), lines

    with stack.airflow_api("admin") as api:
        tries = api.get(
            f"/dags/{dag_id(task_id)}/dagRuns/{run['run_id']}/taskInstances/run_orchestration/tries"
        ).json()["task_instances"]
    moments = sorted(
        (t["try_number"], datetime.fromisoformat(t["start_date"]), datetime.fromisoformat(t["end_date"]))
        for t in tries
    )
    waits = [(moments[i + 1][1] - moments[i][2]).total_seconds() for i in range(len(moments) - 1)]
    print(f"retry waits (s): {waits}")
    # Airflow's backoff: the wait after try n is retry_delay * 2**(n-1) up to twice that.
    assert waits[0] >= 2 and waits[1] >= 4, waits


def wait_run(client: httpx.Client, task_id: str, run_id: str, statuses: set[str]) -> dict:
    def probe() -> dict | None:
        details: dict = client.post("/task/get_run_details", json={"task": task_id, "pod_id": run_id}).json()
        return details if details["status"] in statuses else None

    found: dict = wait_until(probe, f"run {run_id} in {statuses}", timeout=180)
    return found


def test_forbid_skips_a_run_while_another_is_active(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    task_id = start_task(
        admin,
        "run_scheduled",
        workspace,
        hello,
        schedule="0 0 1 1 *",
        concurrency_policy="forbid",
        json={"sleep": 300},
    )
    with stack.airflow_api("admin") as api:
        airflow_dag(api, task_id)
    first = admin.post("/task/run_now", json={"id": task_id}).json()["run_id"]
    assert running_run(admin, stack, task_id) == first
    second = admin.post("/task/run_now", json={"id": task_id}).json()["run_id"]
    wait_run(admin, task_id, second, {"skipped"})
    assert any("concurrency_policy is forbid" in line for line in logs(admin, second))
    assert wait_run(admin, task_id, first, {"running"})
    assert [r["run_id"] for r in runs_of(admin, task_id, status="skipped")] == [second]
    assert admin.post("/task/kill", json={"id": task_id}).status_code == 202


def test_replace_stops_the_active_run_for_the_new_one(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    task_id = start_task(
        admin,
        "run_scheduled",
        workspace,
        hello,
        schedule="0 0 1 1 *",
        concurrency_policy="replace",
        json={"sleep": 300},
    )
    with stack.airflow_api("admin") as api:
        airflow_dag(api, task_id)
        first = admin.post("/task/run_now", json={"id": task_id}).json()["run_id"]
        assert running_run(admin, stack, task_id) == first
        second = admin.post("/task/run_now", json={"id": task_id}).json()["run_id"]
        wait_run(admin, task_id, first, {"killed"})
        note = api.get(f"/dags/{dag_id(task_id)}/dagRuns/{first}").json()["note"]
        assert note.startswith(f"Replaced by run {second}"), note
    assert wait_run(admin, task_id, second, {"running"})
    assert admin.post("/task/kill", json={"id": task_id}).status_code == 202


def test_a_failed_run_notifies_its_webhook_signed(
    stack: AirflowStack, admin: httpx.Client, workspace: int, hello: str
) -> None:
    secret = "integration-secret-0123456789"
    with webhook_receiver(secret) as receiver:
        notify = {"url": receiver.url, "events": ["failure", "success"], "secret": secret}
        name = unique("hooked")
        task_id = start_task(
            admin, "run_once", workspace, hello, json={"fail": True}, name=name, notify=notify
        )
        shown = admin.post("/task/get_by_id", json={"id": task_id}).json()["notify"]
        assert shown == {"url": receiver.url, "events": ["failure", "success"]}  # never the secret
        (body,) = wait_until(lambda: receiver.received, "the failure notification", timeout=240)
    assert receiver.bad_signatures == 0
    assert body["event"] == "failure" and body["task_id"] == task_id and body["task_name"] == name
    assert body["try_number"] == 1 and "exited with code 3" in body["message"]
    # Sent once the try's state was final: the run ends failed, as it would without a webhook.
    assert (
        wait_run(admin, task_id, body["run_id"], {"failure", "success", "timed_out"})["status"] == "failure"
    )
