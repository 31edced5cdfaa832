"""The notebook workflow of the real Wallaroo SDK (``wallaroo==2026.1.3``), unchanged, against
a running airflow-wallaroo: ``sdk_workflow.py`` runs it once in the SDK's venv, each test
below checks one step's observations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.compat.conftest import SdkRun, credentials_file, hello_archive, run_sdk_script, unique
from tests.support.stack import AirflowStack


@pytest.fixture(scope="module")
def workspace_name() -> str:
    return unique("sdk-notebook")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hello_archive(tmp_path_factory.mktemp("archives"))


@pytest.fixture(scope="module")
def workflow(
    sdk_python: Path,
    compat_stack: AirflowStack,
    tmp_path_factory: pytest.TempPathFactory,
    workspace_name: str,
    archive: Path,
) -> SdkRun:
    folder = tmp_path_factory.mktemp("sdk-workflow")
    return run_sdk_script(
        sdk_python,
        "sdk_workflow.py",
        {
            "WALLAROO_URL": compat_stack.base_url,
            "WALLAROO_SDK_CREDENTIALS": str(credentials_file(compat_stack, folder, "admin")),
            "COMPAT_USER": "admin",
            "COMPAT_PASSWORD": compat_stack.password("admin"),
            "COMPAT_ARCHIVE": str(archive),
            "COMPAT_WORKSPACE": workspace_name,
        },
        folder,
    )


class TestWorkspaces:
    def test_create_set_current_and_list(self, workflow: SdkRun, workspace_name: str) -> None:
        seen = workflow.step("client_workspace")
        assert seen["user_id"] == "admin"
        assert seen["workspace_name"] == workspace_name
        assert seen["current_workspace_id"] == seen["set_returned_id"] == seen["workspace_id"]
        assert workspace_name in seen["listed_names"]
        assert "admin - Default Workspace" in seen["listed_names"]
        [mine] = seen["listed_mine"]
        assert mine["id"] == seen["workspace_id"]
        assert mine["archived"] is False
        assert mine["created_by"] == "admin"
        assert mine["created_at"].endswith("+00:00")
        assert mine["models"] == [] and mine["pipelines"] == []
        assert f"'name': '{workspace_name}'" in seen["repr"]

    def test_lookups_and_the_default_workspace(self, workflow: SdkRun) -> None:
        created = workflow.step("client_workspace")["workspace_id"]
        seen = workflow.step("workspace_lookups")
        assert seen["get_workspace_id"] == seen["get_or_create_id"] == created
        # A name that exists is refused (409); the SDK says only this, for any non-200 answer.
        assert seen["duplicate_create"] == "Failed to create workspace."
        assert seen["default_workspace_name"] == "admin - Default Workspace"
        assert seen["default_workspace_users"] == ["admin"]


class TestOrchestrationAndTasks:
    def test_upload_by_path_until_ready(self, workflow: SdkRun, archive: Path) -> None:
        seen = workflow.step("upload_orchestration")
        created = workflow.step("client_workspace")["workspace_id"]
        assert seen["statuses"][-1] == "ready"
        assert seen["name"] == "hello-sdk"
        assert seen["file_name"] == archive.name
        assert seen["sha"] == hashlib.sha256(archive.read_bytes()).hexdigest()
        assert seen["workspace_id"] == created

    def test_run_once_then_its_runs_and_logs(self, workflow: SdkRun) -> None:
        seen = workflow.step("run_once")
        assert seen["statuses"][-1] == "success"
        [run] = seen["runs"]
        assert run["status"] == "success"
        assert run["task"] == seen["task_id"]
        assert seen["all_runs"] == 1 and seen["success_runs"] == 1 and seen["failure_runs"] == 0
        texts = [line.split(" F ", 1)[1] for line in seen["logs"]]
        assert texts == ["hello: in_task = True", 'hello: arguments = {"greeting": "hi sdk"}', "hello: done"]
        assert all(" stdout F " in line for line in seen["logs"])
        assert [line.split(" F ", 1)[1] for line in seen["logs_last_line"]] == ["hello: done"]
        assert run["run_id"] in seen["run_html"] and "success" in seen["run_html"]
        assert run["run_id"] in seen["runs_html"]

    def test_scheduled_pause_resume_kill(self, workflow: SdkRun) -> None:
        seen = workflow.step("run_scheduled")
        assert seen["before_pause"][-1] == "started"
        assert seen["pause_returned_same_task"] and seen["after_pause"] == "paused"
        assert seen["resume_returned_same_task"] and seen["after_resume"] == "started"
        assert seen["kill_answer"] == "pending_kill"
        assert seen["after_kill"][-1] == "killed"

    def test_continuous_then_kill(self, workflow: SdkRun) -> None:
        seen = workflow.step("run_continuously")
        assert seen["before_kill"][-1] == "started"
        assert seen["kill_answer"] == "pending_kill"
        assert seen["after_kill"][-1] == "killed"

    def test_listings(self, workflow: SdkRun, workspace_name: str) -> None:
        seen = workflow.step("listings")
        orchestration = workflow.step("upload_orchestration")["id"]
        once = workflow.step("run_once")["task_id"]
        scheduled = workflow.step("run_scheduled")["task_id"]
        continuous = workflow.step("run_continuously")["task_id"]
        assert orchestration in seen["orchestration_ids"]
        assert seen["in_workspace_ids"] == seen["by_name_ids"] == [orchestration]
        assert orchestration in seen["orchestrations_html"] and workspace_name in seen["orchestrations_html"]
        assert once in seen["live_task_ids"]
        assert scheduled not in seen["live_task_ids"] and continuous not in seen["live_task_ids"]
        assert {scheduled, continuous} <= set(seen["killed_task_ids"])
        assert once not in seen["killed_task_ids"]
        assert all(seen["killed_flags"])
        assert sorted(seen["orchestration_task_ids"]) == sorted([once, scheduled, continuous])
        assert "Scheduled Run" in seen["tasks_html"] and "Continuous Run" in seen["tasks_html"]

    def test_task_by_id_and_notebook_displays(self, workflow: SdkRun, workspace_name: str) -> None:
        seen = workflow.step("task_details")
        upload = workflow.step("upload_orchestration")
        assert seen["id"] == workflow.step("run_once")["task_id"]
        assert seen["name"] == "once-sdk"
        assert seen["task_type"] == "Oneshot"
        assert seen["input_data"] == {"greeting": "hi sdk"}
        assert seen["status"] == "success"
        for expected in (seen["id"], "once-sdk", "Temporary Run", "success", workspace_name):
            assert expected in seen["task_html"]
        for expected in (upload["id"], upload["sha"], "hello-sdk", "ready", workspace_name):
            assert expected in seen["orchestration_html"]


class TestAuthTypes:
    def test_user_password_logs_in_and_refreshes(self, workflow: SdkRun) -> None:
        seen = workflow.step("user_password")
        assert seen["user_id"] == "admin"
        assert seen["sees_workspace"]
        assert seen["cached_keys"] == [
            "access_token",
            "expiry",
            "refresh_token",
            "refresh_token_expiry",
            "user_email",
            "user_id",
        ]
        assert seen["refreshed_token_differs"] and seen["refresh_tokens_differ"]
        assert seen["default_workspace"] == "admin - Default Workspace"

    def test_sso_is_refused_with_the_reason(self, workflow: SdkRun) -> None:
        seen = workflow.step("sso")
        assert seen["refused"] is not None and "[HTTP 400]" in seen["refused"]
        assert "auth_type='sso' is not available" in seen["refused"]
