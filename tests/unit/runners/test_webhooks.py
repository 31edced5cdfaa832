"""Run notifications: signed bodies, retried delivery with backoff, never an exception."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from types import SimpleNamespace

from airflow.sdk.exceptions import AirflowTaskTimeout

from airflow_wallaroo.runners.webhooks import (
    SIGNATURE_HEADER,
    WebhookNotifier,
    deliver,
    failure_events,
    notifier_callbacks,
    sign,
)
from tests.support.webhooks import webhook_receiver
from tests.unit.runners.test_concurrency import SPEC

SECRET = "s" * 32


def test_the_signature_is_the_hmac_of_the_body() -> None:
    assert sign("key", b"{}") == "sha256=" + hmac.new(b"key", b"{}", hashlib.sha256).hexdigest()
    assert sign("key", b"{}") != sign("other", b"{}")


def test_delivered_with_a_signature_the_receiver_verifies() -> None:
    with webhook_receiver(SECRET) as receiver:
        assert deliver(receiver.url, SECRET, {"event": "failure", "task_id": "t"})
    assert receiver.received == [{"event": "failure", "task_id": "t"}]
    assert receiver.headers[0]["X-Wallaroo-Event"] == "failure"
    assert receiver.headers[0][SIGNATURE_HEADER].startswith("sha256=")
    assert receiver.bad_signatures == 0


def test_retried_with_exponential_backoff() -> None:
    waits: list[float] = []
    with webhook_receiver(SECRET, fail_first=2) as receiver:
        assert deliver(receiver.url, SECRET, {"event": "success"}, tries=3, sleep=waits.append)
    assert receiver.requests == 3 and len(receiver.received) == 1
    assert waits == [1.0, 2.0]


def test_a_receiver_that_never_answers_is_logged_never_raised() -> None:
    waits: list[float] = []
    with webhook_receiver(SECRET, fail_first=99) as receiver:
        assert not deliver(receiver.url, SECRET, {"event": "failure"}, tries=3, sleep=waits.append)
    assert receiver.requests == 3 and waits == [1.0, 2.0]
    assert not deliver("http://127.0.0.1:9/nothing-listens", SECRET, {}, tries=2, sleep=waits.append)


def test_a_wrong_secret_is_refused_by_the_receiver() -> None:
    with webhook_receiver(SECRET) as receiver:
        assert not deliver(receiver.url, "another secret!!", {"event": "failure"}, tries=1)
    assert receiver.bad_signatures == 1 and receiver.received == []


class TestEvents:
    def test_a_timeout_is_timed_out(self) -> None:
        assert failure_events(SPEC, AirflowTaskTimeout("late"), 0) == ["timed_out"]

    def test_a_continuous_task_entering_its_crash_loop(self) -> None:
        continuous = replace(SPEC, kind="run_continuously")
        assert failure_events(continuous, RuntimeError(), 3) == ["failure", "crash_loop"]
        assert failure_events(continuous, RuntimeError(), 4) == ["failure"]
        assert failure_events(SPEC, RuntimeError(), 3) == ["failure"]


class TestNotifier:
    def test_no_webhook_no_callbacks(self) -> None:
        assert notifier_callbacks(SPEC) == {}

    def test_only_the_events_asked_for_are_sent(self) -> None:
        with webhook_receiver(SECRET) as receiver:
            notify = {"url": receiver.url, "events": ["success"], "secret": SECRET}
            spec = replace(SPEC, notify=notify, name="nightly")
            context = {"dag_run": SimpleNamespace(run_id="r1"), "ti": SimpleNamespace(try_number=1)}
            WebhookNotifier(spec=spec.to_json(), succeeded=False).notify(
                context | {"exception": RuntimeError()}
            )
            WebhookNotifier(spec=spec.to_json(), succeeded=True).notify(context)
        (body,) = receiver.received
        assert body["event"] == "success" and body["run_id"] == "r1" and body["task_name"] == "nightly"
        assert body["task_id"] == SPEC.task_id and body["try_number"] == 1
