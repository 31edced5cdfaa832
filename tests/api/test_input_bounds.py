"""Bounded input: what a request may carry is checked at the door, 400 naming the field, never 500.

Ids are int64, ``timeout`` at most a year, datetimes need a zone and a year in 1900..9998,
names and ``json`` have maximum sizes, and a field a model does not declare is refused by
name (but those the Wallaroo SDK sends).
"""

from __future__ import annotations

import json

import httpx
import pytest

from airflow_wallaroo.core.bounds import MAX_JSON_BYTES, MAX_TIMEOUT_SECONDS
from tests.support.archives import zip_example
from tests.support.helpers import assert_error

MISSING = "00000000-0000-4000-8000-000000000000"
HUGE = 2**63
SAFE_MAX = 2**53 - 1
TASK = {"orch_id": MISSING, "json": {}}

#: (path, body with a workspace id): every endpoint that takes one.
WORKSPACE_ID_BODIES = [
    ("/workspaces/add_user", {"user_id": "bob"}),
    ("/workspaces/remove_user", {"user_id": "bob"}),
    ("/workspaces/list_users", {}),
    ("/orchestration/list", {}),
    ("/task/run_once", TASK),
    ("/task/run_scheduled", {**TASK, "schedule": "* * * * *"}),
    ("/task/run_continuously", TASK),
    ("/task/list", {}),
]


def upload(client: httpx.Client, metadata: object) -> httpx.Response:
    raw = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    return client.post(
        "/orchestration/upload",
        files={
            "file": ("hello.zip", zip_example("hello"), "application/zip"),
            "metadata": (None, raw, "application/json"),
        },
    )


class TestIds:
    @pytest.mark.parametrize(("path", "body"), WORKSPACE_ID_BODIES, ids=[p for p, _ in WORKSPACE_ID_BODIES])
    @pytest.mark.parametrize("value", [HUGE, -(2**63) - 1, 10**30, SAFE_MAX + 1])
    def test_workspace_id_beyond_int64_is_400(
        self, admin: httpx.Client, path: str, body: dict[str, object], value: int
    ) -> None:
        assert_error(admin.post(path, json={**body, "workspace_id": value}), 400, "workspace_id")

    def test_largest_id_is_a_missing_workspace_not_an_error(self, admin: httpx.Client) -> None:
        answer = admin.post("/orchestration/list", json={"workspace_id": SAFE_MAX})
        assert answer.status_code in (403, 404), answer.text

    def test_workspace_ids_of_list_all(self, admin: httpx.Client) -> None:
        assert_error(
            admin.post("/orchestration/list_all", json={"workspace_ids": [1, HUGE]}), 400, "workspace_ids.1"
        )

    def test_upload_metadata_workspace_id(self, admin: httpx.Client) -> None:
        assert_error(upload(admin, {"workspace_id": HUGE}), 400, "metadata.workspace_id")

    def test_upload_metadata_that_is_not_utf8(self, admin: httpx.Client) -> None:
        assert_error(upload(admin, b"\xff\xfe{"), 400, "metadata: not valid JSON")


class TestTimeout:
    @pytest.mark.parametrize("value", [2**63 - 1, 10**19, MAX_TIMEOUT_SECONDS + 1, 0, -5])
    def test_out_of_range_is_400(self, admin: httpx.Client, value: int) -> None:
        answer = admin.post("/task/run_once", json={**TASK, "workspace_id": 1, "timeout": value})
        assert_error(answer, 400, "timeout")

    def test_the_maximum_passes_validation(self, admin: httpx.Client) -> None:
        answer = admin.post(
            "/task/run_once", json={**TASK, "workspace_id": 1, "timeout": MAX_TIMEOUT_SECONDS}
        )
        assert answer.status_code in (403, 404), answer.text


class TestDatetimes:
    @pytest.mark.parametrize(
        ("path", "body"),
        [("/orchestration/list_all", {}), ("/task/list_task_runs", {"task_id": MISSING})],
    )
    @pytest.mark.parametrize(
        ("start", "mentions"),
        [
            ("2024-01-01T00:00:00", "timezone"),
            ("0001-01-01T00:00:00+05:00", "between the years"),
            ("9999-12-31T23:59:59-05:00", "between the years"),
            ("1850-01-01T00:00:00Z", "between the years"),
            ("not a date", "time_range.0"),
        ],
    )
    def test_bad_time_range_is_400(
        self, admin: httpx.Client, path: str, body: dict[str, object], start: str, mentions: str
    ) -> None:
        answer = admin.post(path, json={**body, "time_range": [start, "2030-01-01T00:00:00Z"]})
        assert_error(answer, 400, "time_range.0", mentions)

    def test_aware_range_is_served(self, admin: httpx.Client) -> None:
        answer = admin.post(
            "/orchestration/list_all",
            json={"time_range": ["1970-01-01T00:00:00+02:00", "2100-01-01T00:00:00Z"]},
        )
        assert answer.status_code == 200, answer.text


class TestSizes:
    def test_workspace_name_over_250_is_400(self, admin: httpx.Client) -> None:
        assert_error(
            admin.post("/workspaces/create", json={"workspace_name": "w" * 251}), 400, "workspace_name"
        )

    def test_task_name_over_250_is_400(self, admin: httpx.Client) -> None:
        answer = admin.post("/task/run_once", json={**TASK, "workspace_id": 1, "name": "t" * 251})
        assert_error(answer, 400, "name")

    def test_upload_name_over_250_is_400(self, admin: httpx.Client) -> None:
        assert_error(upload(admin, {"workspace_id": 1, "name": "o" * 251}), 400, "metadata.name")

    def test_json_over_the_limit_is_400(self, admin: httpx.Client) -> None:
        big = {"blob": "x" * MAX_JSON_BYTES}
        answer = admin.post("/task/run_once", json={**TASK, "workspace_id": 1, "json": big})
        assert_error(answer, 400, "json", str(MAX_JSON_BYTES))

    def test_nul_in_an_id_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/task/get_by_id", json={"id": "a\x00b"}), 400, "id", "NUL")

    @pytest.mark.parametrize(
        ("path", "raw", "field"),
        [
            ("/task/get_by_id", b'{"id": "\\ud800"}', "id"),
            ("/workspaces/create", b'{"workspace_name": "a\\udc00"}', "workspace_name"),
            ("/task/run_once", b'{"workspace_id": 1, "orch_id": "x", "json": {"k": "\\ud800"}}', "json"),
        ],
    )
    def test_lone_surrogates_are_400(self, admin: httpx.Client, path: str, raw: bytes, field: str) -> None:
        answer = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert_error(answer, 400, field)

    def test_download_id_with_nul_or_too_long_is_400(self, admin: httpx.Client) -> None:
        assert_error(admin.get("/orchestration/download", params={"id": "a\x00b"}), 400, "id")
        assert_error(admin.get("/orchestration/download", params={"id": "x" * 251}), 400, "id")

    def test_env_var_name_with_nul_is_400(self, admin: httpx.Client) -> None:
        body = {**TASK, "workspace_id": 1, "extra_env_vars": {"A\x00": "1"}}
        assert_error(admin.post("/task/run_once", json=body), 400, "extra_env_vars")

    def test_huge_limit_is_400_not_an_overflow(self, admin: httpx.Client) -> None:
        answer = admin.post("/task/list_task_runs", json={"task_id": MISSING, "limit": HUGE})
        assert_error(answer, 400, "limit")


class TestUnknownFields:
    def test_a_typo_in_an_optional_field_is_named(self, admin: httpx.Client) -> None:
        answer = admin.post("/task/run_once", json={**TASK, "workspace_id": 1, "jsn": {"a": 1}})
        assert_error(answer, 400, "jsn: unknown field")

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/workspaces/list", {"usr_id": "x"}),
            ("/workspaces/create", {"workspace_name": "w", "debug": True}),
            ("/task/list", {"workspace": 1}),
            ("/orchestration/list_all", {"workspace_id": 1}),
            ("/task/kill", {"id": MISSING, "force": True}),
        ],
    )
    def test_unknown_fields_are_400(self, admin: httpx.Client, path: str, body: dict[str, object]) -> None:
        unknown = next(k for k in body if k not in ("id", "workspace_name"))
        assert_error(admin.post(path, json=body), 400, f"{unknown}: unknown field")

    def test_unknown_field_of_upload_metadata(self, admin: httpx.Client) -> None:
        assert_error(upload(admin, {"workspace_id": 1, "nmae": "x"}), 400, "metadata.nmae: unknown field")

    def test_null_for_an_unknown_field_is_still_unknown(self, admin: httpx.Client) -> None:
        assert_error(admin.post("/task/list", json={"orch": None}), 400, "orch: unknown field")

    def test_fields_the_sdk_sends_are_accepted(self, admin: httpx.Client) -> None:
        # add_user: Workspace._add_user sends "url"; get_by_id: GetTaskByIdRequest sends "run_limit".
        answer = admin.post(
            "/workspaces/add_user",
            json={
                "workspace_id": 999999,
                "user_id": "bob",
                "email": None,
                "url": "http://x",
                "user_type": "owner",
            },
        )
        assert answer.status_code in (403, 404), answer.text
        answer = admin.post("/task/get_by_id", json={"id": MISSING, "run_limit": 3})
        assert_error(answer, 404, MISSING)
