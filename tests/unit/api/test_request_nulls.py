"""The SDK's generated client sends every optional field it was not given as ``null``:
``null`` means the field's default, and stays an error for a required field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from airflow_wallaroo.api.models.orchestrations import DeleteRequest, ListAllRequest
from airflow_wallaroo.api.models.tasks import ListRunsRequest, ListTasksRequest, RunOnceRequest
from airflow_wallaroo.api.models.workspaces import AddUserRequest

TASK = "5a8e9e3c-7c53-4d0a-9b0e-2f1d6c1b2a11"


class TestNullMeansDefault:
    def test_list_task_runs_as_task_last_runs_sends_it(self) -> None:
        body = ListRunsRequest.model_validate(
            {"task_id": TASK, "limit": None, "status": None, "time_range": None}
        )
        assert (body.status, body.limit, body.time_range) == ("all", None, None)

    def test_run_once_with_every_optional_null(self) -> None:
        body = RunOnceRequest.model_validate(
            {
                "json": {"a": 1},
                "orch_id": TASK,
                "workspace_id": 3,
                "debug": None,
                "name": None,
                "timeout": None,
                "extra_env_vars": None,
                "bind_secrets": None,
            }
        )
        assert (body.debug, body.name, body.timeout, body.json_) == (False, None, None, {"a": 1})
        assert body.extra_env_vars == {} and body.bind_secrets == []

    def test_a_null_json_is_the_empty_object(self) -> None:
        assert RunOnceRequest.model_validate({"json": None, "orch_id": TASK, "workspace_id": 3}).json_ == {}

    @pytest.mark.parametrize(
        ("model", "body", "field", "default"),
        [
            pytest.param(
                AddUserRequest,
                {"workspace_id": 1, "user_id": "bob", "user_type": None},
                "user_type",
                "collaborator",
                id="add_user",
            ),
            pytest.param(
                DeleteRequest,
                {"orchestrations": [TASK], "confirm_delete": None},
                "confirm_delete",
                False,
                id="delete",
            ),
            pytest.param(
                ListAllRequest,
                {"workspace_ids": None, "task_run_status": None},
                "workspace_ids",
                [],
                id="list_all",
            ),
            pytest.param(
                ListTasksRequest, {"killed": None, "run_limit": None}, "killed", None, id="task-list"
            ),
        ],
    )
    def test_other_requests(self, model, body: dict, field: str, default: object) -> None:
        assert getattr(model.model_validate(body), field) == default


def test_a_required_field_stays_required() -> None:
    with pytest.raises(ValidationError, match="task_id"):
        ListRunsRequest.model_validate({"task_id": None, "status": None})


def test_a_bad_value_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="status"):
        ListRunsRequest.model_validate({"task_id": TASK, "status": "sometimes"})
