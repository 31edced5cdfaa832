"""The task options beyond the seed, as far as a request alone decides them (no scheduler).

What a request says is checked before what it refers to, so an orchestration that does
not exist is enough to reach each check.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.helpers import assert_error

MISSING = "00000000-0000-4000-8000-000000000000"


def scheduled(**extra: object) -> dict[str, object]:
    return {"workspace_id": 999999, "orch_id": MISSING, "schedule": "0 8 * * *", "json": {}, **extra}


class TestTimezone:
    @pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "Europe/"])
    def test_an_unknown_zone_is_400(self, admin: TestClient, zone: str) -> None:
        assert_error(admin.post("/task/run_scheduled", json=scheduled(timezone=zone)), 400, "timezone")

    def test_a_known_zone_passes_validation(self, admin: TestClient) -> None:
        # Refused further on, for the workspace it names: the zone itself was accepted.
        answer = admin.post("/task/run_scheduled", json=scheduled(timezone="Europe/Paris"))
        assert answer.status_code in (403, 404), answer.text
        assert "timezone" not in answer.text

    def test_null_means_utc(self, admin: TestClient) -> None:
        answer = admin.post("/task/run_scheduled", json=scheduled(timezone=None))
        assert answer.status_code in (403, 404), answer.text


class TestCronMacros:
    @pytest.mark.parametrize("macro", ["@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"])
    def test_airflow_macros_are_accepted(self, admin: TestClient, macro: str) -> None:
        answer = admin.post("/task/run_scheduled", json=scheduled(schedule=macro))
        assert answer.status_code in (403, 404), answer.text

    @pytest.mark.parametrize("schedule", ["@sometimes", "@once", "@continuous", "* * *"])
    def test_others_are_400(self, admin: TestClient, schedule: str) -> None:
        assert_error(admin.post("/task/run_scheduled", json=scheduled(schedule=schedule)), 400, "schedule")


def once(**extra: object) -> dict[str, object]:
    return {"workspace_id": 999999, "orch_id": MISSING, "json": {}, **extra}


class TestRetries:
    @pytest.mark.parametrize(
        "extra",
        [{"retries": -1}, {"retries": 11}, {"retries": 2, "retry_delay": 0}, {"retry_delay": 3601}],
        ids=["negative", "too-many", "no-delay", "delay-too-long"],
    )
    @pytest.mark.parametrize("path", ["/task/run_once", "/task/run_scheduled"])
    def test_out_of_bounds_is_400(self, admin: TestClient, path: str, extra: dict[str, object]) -> None:
        body = scheduled(**extra) if path.endswith("scheduled") else once(**extra)
        assert_error(admin.post(path, json=body), 400, list(extra)[-1])

    @pytest.mark.parametrize("path", ["/task/run_once", "/task/run_scheduled"])
    def test_in_bounds_passes_validation(self, admin: TestClient, path: str) -> None:
        extra = {"retries": 10, "retry_delay": 1}
        body = scheduled(**extra) if path.endswith("scheduled") else once(**extra)
        assert admin.post(path, json=body).status_code in (403, 404)

    def test_null_means_no_retries(self, admin: TestClient) -> None:
        answer = admin.post("/task/run_once", json=once(retries=None, retry_delay=None))
        assert answer.status_code in (403, 404), answer.text


class TestRunNow:
    def test_an_unknown_task_is_404(self, admin: TestClient) -> None:
        assert_error(admin.post("/task/run_now", json={"id": MISSING}), 404, MISSING)


class TestConcurrencyPolicy:
    @pytest.mark.parametrize("policy", ["allow", "forbid", "replace"])
    def test_the_three_policies_pass_validation(self, admin: TestClient, policy: str) -> None:
        answer = admin.post("/task/run_scheduled", json=scheduled(concurrency_policy=policy))
        assert answer.status_code in (403, 404), answer.text

    @pytest.mark.parametrize("policy", ["Forbid", "skip", ""])
    def test_others_are_400(self, admin: TestClient, policy: str) -> None:
        assert_error(
            admin.post("/task/run_scheduled", json=scheduled(concurrency_policy=policy)),
            400,
            "concurrency_policy",
        )


HOOK = {"url": "https://hooks.example.com/wallaroo", "secret": "0123456789abcdef"}


class TestNotify:
    @pytest.mark.parametrize("path", ["/task/run_once", "/task/run_scheduled", "/task/run_continuously"])
    def test_a_webhook_passes_validation(self, admin: TestClient, path: str) -> None:
        body = scheduled(notify=HOOK) if path.endswith("scheduled") else once(notify=HOOK)
        assert admin.post(path, json=body).status_code in (403, 404)

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:45123/hook", "https://hooks.example.com:65535/a?b=c", "HTTP://x"]
    )
    def test_a_webhook_on_any_port_passes_validation(self, admin: TestClient, url: str) -> None:
        assert admin.post("/task/run_once", json=once(notify={**HOOK, "url": url})).status_code in (403, 404)

    @pytest.mark.parametrize(
        ("notify", "mention"),
        [
            ({**HOOK, "url": "ftp://example.com/x"}, "notify.url"),
            ({**HOOK, "url": "http://example.com:65536/"}, "notify.url"),
            ({**HOOK, "url": "not a url"}, "notify.url"),
            ({**HOOK, "secret": "short"}, "secret"),
            ({"url": HOOK["url"]}, "secret"),
            ({**HOOK, "events": ["failure", "sometimes"]}, "events"),
            ({**HOOK, "events": []}, "events"),
        ],
        ids=["scheme", "port", "not-a-url", "short-secret", "no-secret", "unknown-event", "no-event"],
    )
    def test_a_bad_webhook_is_400(self, admin: TestClient, notify: dict[str, object], mention: str) -> None:
        assert_error(admin.post("/task/run_once", json=once(notify=notify)), 400, mention)
