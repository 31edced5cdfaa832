"""The shipped examples, uploaded and run for real: the ML batch job (with its pinned
scikit-learn installed by packaging) and the orchestration whose main.py is nested.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest

from tests.support.helpers import folder_run_users_can_write, unique
from tests.support.tasks import logs, ready_example, runs_of, wait_task_status


@pytest.fixture
def workspace(admin: httpx.Client) -> int:
    return admin.post("/workspaces/create", json={"workspace_name": unique("examples")}).json()[
        "workspace_id"
    ]


def run_once(client: httpx.Client, workspace: int, orch_id: str, args: dict) -> tuple[dict, list[str]]:
    answer = client.post("/task/run_once", json={"workspace_id": workspace, "orch_id": orch_id, "json": args})
    assert answer.status_code == 201, answer.text
    done = wait_task_status(client, answer.json()["id"], {"success", "failed", "timed_out"}, timeout=300)
    run = runs_of(client, done["id"])[0]
    return done, logs(client, run["run_id"])


@pytest.mark.slow
def test_ml_batch_trains_scores_and_writes_its_results(
    admin: httpx.Client, workspace: int, tmp_path: Path
) -> None:
    orchestration = ready_example(admin, workspace, "ml_batch")
    output = folder_run_users_can_write(tmp_path, "ml-results")
    done, lines = run_once(
        admin, workspace, orchestration, {"model": "forest", "seed": 0, "output_dir": str(output)}
    )
    assert done["status"] == "success", lines
    accuracy = [float(line.rsplit("accuracy=", 1)[1]) for line in lines if "ml_batch: accuracy=" in line]
    assert accuracy and 0.8 <= accuracy[0] <= 1.0, lines
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(accuracy[0])
    with (output / "predictions.csv").open() as predictions:
        assert len(list(csv.reader(predictions))) > 10


def test_nested_main_py_runs_from_the_archive_root(admin: httpx.Client, workspace: int) -> None:
    orchestration = ready_example(admin, workspace, "nested")
    done, lines = run_once(admin, workspace, orchestration, {"who": "nested-test"})
    assert done["status"] == "success", lines
    assert any("stdout F nested: ok" in line and "nested-test" in line for line in lines), lines
