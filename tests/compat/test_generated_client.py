"""Every ``/v1/api`` answer parses with the SDK's generated models (``from_dict``): each endpoint
called through ``wallaroo_ml_ops_api_client``'s own ``sync()`` / ``sync_detailed()``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.compat.conftest import SdkRun, hello_archive, run_sdk_script, unique
from tests.support.stack import AirflowStack


@pytest.fixture(scope="module")
def generated(
    sdk_python: Path, compat_stack: AirflowStack, tmp_path_factory: pytest.TempPathFactory
) -> SdkRun:
    folder = tmp_path_factory.mktemp("generated-client")
    with compat_stack.client("bob") as bob:  # bob is known to the API once he has called it
        assert bob.post("/workspaces/list", json={}).status_code == 200
    archive = hello_archive(folder, {"unique.txt": uuid.uuid4().hex})
    run = run_sdk_script(
        sdk_python,
        "generated_client.py",
        {
            "WALLAROO_URL": compat_stack.base_url,
            "COMPAT_TOKEN": compat_stack.token("admin"),
            "COMPAT_OTHER_USER": "bob",
            "COMPAT_ARCHIVE": str(archive),
            "COMPAT_WORKSPACE": unique("sdk-generated"),
        },
        folder,
    )
    assert "error" not in run.report, run.report["error"]
    run.report["archive_size"] = archive.stat().st_size
    return run


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [
        pytest.param("workspaces/create", "WorkspacesCreateResponse200", id="workspaces-create"),
        pytest.param("workspaces/create (400)", "WorkspacesCreateResponse400", id="workspaces-create-400"),
        pytest.param("workspaces/list", "WorkspacesListResponse200", id="workspaces-list"),
        pytest.param("workspaces/add_user", "WorkspacesAddUserResponse200", id="workspaces-add_user"),
        pytest.param("workspaces/list_users", "WorkspacesListUsersResponse200", id="workspaces-list_users"),
        pytest.param(
            "workspaces/remove_user", "WorkspacesRemoveUserResponse200", id="workspaces-remove_user"
        ),
        pytest.param("orchestration/upload", "OrchestrationUploadResponse202", id="orchestration-upload"),
        pytest.param("orchestration/get_by_id", "GetOrchestrationByIdResponse", id="orchestration-get_by_id"),
        pytest.param("orchestration/list", "list", id="orchestration-list"),
        pytest.param("orchestration/list_all", "ListAllOrchestrationsResponse", id="orchestration-list_all"),
        pytest.param("orchestration/delete_orchestrations", "DeleteOrchestrationsResponse200", id="delete"),
        pytest.param("task/run_once", "OneshotResponse201", id="task-run_once"),
        pytest.param("task/run_scheduled", "CronJobResponse201", id="task-run_scheduled"),
        pytest.param("task/run_continuously", "NetworkServiceResponse201", id="task-run_continuously"),
        pytest.param("task/get_by_id", "TaskGetByIdResponse200", id="task-get_by_id"),
        pytest.param("task/list", "list", id="task-list"),
        pytest.param(
            "task/get_tasks_by_orch_sha", "GetTasksByOrchShaResponse200", id="task-get_tasks_by_orch_sha"
        ),
        pytest.param("task/list_task_runs", "list", id="task-list_task_runs"),
        pytest.param("task/get_run_details", "GetRunDetailsResponse200", id="task-get_run_details"),
        pytest.param("task/get_logs_for_run", "GetLogsForRunResponse200", id="task-get_logs_for_run"),
        pytest.param("task/pause", "PauseResponse202", id="task-pause"),
        pytest.param("task/kill", "KillResponse202", id="task-kill"),
    ],
)
def test_answer_parses_as_the_generated_model(generated: SdkRun, endpoint: str, model: str) -> None:
    assert generated.report[endpoint]["parsed"] == model


class TestParsedValues:
    def test_workspaces(self, generated: SdkRun) -> None:
        report = generated.report
        workspace_id = report["workspaces/create"]["workspace_id"]
        [mine] = report["workspaces/list"]["mine"]
        assert mine["id"] == workspace_id and mine["created_by"] == "admin" and mine["archived"] is False
        assert report["workspaces/create (400)"]["code"] == 400
        assert "workspace_name" in report["workspaces/create (400)"]["msg"]
        assert report["workspaces/list_users"]["users"] == {"admin": "owner", "bob": "collaborator"}
        assert report["workspaces/remove_user"]["affected_rows"] == 1

    def test_orchestrations(self, generated: SdkRun) -> None:
        report = generated.report
        orchestration = report["orchestration/upload"]["id"]
        assert report["orchestration/upload"]["status_code"] == 202
        got = report["orchestration/get_by_id"]
        assert got["status"] == "ready" and got["workspace_id"] == report["workspaces/create"]["workspace_id"]
        uuid.UUID(got["task_id"])  # the packaging run's id, a UUID
        assert report["orchestration/list"]["items"] == ["Orchestration"]
        assert report["orchestration/list"]["ids"] == [orchestration]
        assert report["orchestration/list"]["file_sizes"] == [generated.report["archive_size"]]
        assert report["orchestration/download"]["status_code"] == 200
        assert (
            report["orchestration/download"]["sha_matches"] and report["orchestration/download"]["sha_header"]
        )

    def test_list_all_carries_the_workspace_object(self, generated: SdkRun) -> None:
        report = generated.report
        listed = report["orchestration/list_all"]
        assert listed["orchestrations"] == [report["orchestration/upload"]["id"]]
        [workspace] = listed["workspaces"]
        assert workspace["id"] == report["workspaces/create"]["workspace_id"]
        assert workspace["created_by"] == "admin" and workspace["archived"] is False
        assert workspace["created_at"].endswith("+00:00")
        assert listed["task_counts"] == [3]

    def test_delete_answers_the_archive_bytes_freed(self, generated: SdkRun) -> None:
        report = generated.report
        assert report["orchestration/delete_orchestrations (shared archive)"]["bytes"] == 0
        freed = report["orchestration/delete_orchestrations"]
        assert freed["bytes"] == generated.report["archive_size"]
        assert freed["deleted"] == [report["orchestration/upload"]["id"]]
        assert report["orchestration/get_by_id after delete"]["status_code"] == 404

    def test_tasks_and_runs(self, generated: SdkRun) -> None:
        report = generated.report
        once = report["task/run_once"]["id"]
        got = report["task/get_by_id"]
        assert got["id"] == once and got["status"] == "success" and got["input_data"] == {"n": 1}
        assert got["last_runs"] == 1
        created = {once, report["task/run_scheduled"]["id"], report["task/run_continuously"]["id"]}
        assert set(report["task/list"]["ids"]) == created
        assert report["task/list"]["items"] == ["Task"] * 3
        assert created <= set(report["task/get_tasks_by_orch_sha"]["ids"])
        runs = report["task/list_task_runs"]
        assert runs["items"] == ["ListTaskRunsResponseTaskRuns"]
        assert runs["statuses"] == ["success"] and runs["tasks"] == [once]
        assert report["task/get_run_details"]["status"] == "success"
        texts = [line.split(" F ", 1)[1] for line in report["task/get_logs_for_run"]["logs"]]
        assert 'hello: arguments = {"n": 1}' in texts
        assert report["task/pause"]["status"] in ("pending_pause", "paused")
        assert report["task/pause"]["id"] == report["task/run_scheduled"]["id"]
        assert report["task/kill"]["status"] == "pending_kill" and report["task/kill"]["killed"] is True
