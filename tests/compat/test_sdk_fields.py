"""Every field the real Wallaroo SDK can send is one our request models declare.

Request models refuse fields they do not declare (400 naming them), so this is where the
list of fields kept for the SDK's sake is proven: the SDK's own models are read in its venv
(``sdk_fields.py``), no stack needed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel

from airflow_wallaroo.api.models import orchestrations as o
from airflow_wallaroo.api.models import tasks as t
from airflow_wallaroo.api.models import workspaces as w
from airflow_wallaroo.services.orchestrations import UploadMetadata

HERE = Path(__file__).parent

#: The SDK's body (module of its generated models, or the hand-written call) -> ours.
OURS: dict[str, type[BaseModel]] = {
    "workspaces_create_body": w.CreateWorkspaceRequest,
    "workspaces_list_body": w.ListWorkspacesRequest,
    "workspaces_add_user_body": w.AddUserRequest,
    "workspaces_remove_user_body": w.WorkspaceUserRequest,
    "workspaces_list_users_body": w.ListUsersRequest,
    "upload_orchestration_request": UploadMetadata,
    "list_orchestrations_request": o.ListRequest,
    "get_orchestration_by_id_request": o.GetByIdRequest,
    "list_all_orchestrations_request": o.ListAllRequest,
    "delete_orchestrations_body": o.DeleteRequest,
    "oneshot_request": t.RunOnceRequest,
    "cron_job_body": t.RunScheduledRequest,
    "network_service_request": t.RunContinuouslyRequest,
    "get_task_by_id_request": t.GetTaskRequest,
    "list_tasks_request": t.ListTasksRequest,
    "get_tasks_by_orch_sha_request": t.OrchShaRequest,
    "list_task_runs_request": t.ListRunsRequest,
    "get_run_details_request": t.RunDetailsRequest,
    "get_logs_for_run_request": t.LogsRequest,
    "kill_request": t.TaskIdRequest,
    "pause_request": t.PauseRequest,
    "Workspace._add_user": w.AddUserRequest,
}


@pytest.fixture(scope="module")
def sdk_fields(sdk_python: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        [str(sdk_python), str(HERE / "sdk_fields.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


def declared(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_every_sdk_body_is_mapped(sdk_fields: dict[str, list[str]]) -> None:
    assert set(sdk_fields) == set(OURS)


@pytest.mark.parametrize("body", sorted(OURS))
def test_every_field_the_sdk_sends_is_declared(sdk_fields: dict[str, list[str]], body: str) -> None:
    missing = set(sdk_fields[body]) - declared(OURS[body])
    assert not missing, f"the SDK's {body} sends {sorted(missing)}, which {OURS[body].__name__} would refuse"
