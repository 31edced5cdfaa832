"""Schemathesis over every operation of the /v1 app's own OpenAPI document.

The app of this tier (the migrated SQLite database, real tokens) is served by uvicorn on a
local port for the run: Schemathesis' CLI then runs exactly as ``make fuzz`` runs it against
a whole stack, every phase (examples, coverage, fuzzing, stateful) and every check, seeded
and bounded, in about a minute. No scheduler is needed: what the fuzzer can reach is the
request handling, which is all in this app (``make fuzz`` runs the same on a real stack).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.api.conftest import token_for
from tests.support.fuzz import run_schemathesis

SEED = 20261128
MAX_EXAMPLES = 25
MIN_CASES = 1000


@pytest.fixture(scope="module")
def served(v1_app: FastAPI) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(v1_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_schemathesis_finds_nothing(served: str, tmp_path: Path) -> None:
    result = run_schemathesis(
        served, token_for("admin"), max_examples=MAX_EXAMPLES, seed=SEED, report_dir=tmp_path
    )
    print(f"schemathesis: {result.summary()}\n{result.phases()}")
    assert result.exit_code == 0 and not result.failures, f"{result.summary()}\n{result.output}"
    assert result.cases >= MIN_CASES, result.summary()
