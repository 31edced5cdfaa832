"""Running Schemathesis' CLI over the /v1 OpenAPI document, and reading its figures.

Shared by ``tests/api/test_fuzz.py`` (in-process app behind uvicorn, make test) and
``bench/fuzz.py`` (a real stack, make fuzz). Seeded and bounded; every check, every phase.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = Path(__file__).parents[1] / "schemathesis.toml"
PHASES = "examples,coverage,fuzzing,stateful"


@dataclass
class FuzzResult:
    """What one run did: cases sent, failures by check, and the CLI's output for messages."""

    exit_code: int
    cases: int
    operations: int
    failures: Counter[str] = field(default_factory=Counter)
    output: str = ""

    def phases(self) -> str:
        """The CLI's per-phase lines (passed/failed, stateful scenarios and links covered)."""
        keep = ("Examples", "Coverage", "Fuzzing", "Stateful", "passed", "Scenarios:", "API Links:")
        return "\n".join(line for line in self.output.splitlines() if any(k in line for k in keep))

    def summary(self) -> str:
        by_check = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items())) or "none"
        return f"{self.cases} cases over {self.operations} operations; failures by check: {by_check}"


def run_schemathesis(
    base_url: str, token: str, *, max_examples: int, seed: int, report_dir: Path, timeout: float = 3000
) -> FuzzResult:
    """Run ``st run`` against ``{base_url}/openapi.json`` (base_url ends in ``/v1``)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    events = report_dir / "events.ndjson"
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        # Every check: the config file enables all (the CLI's --checks would override its
        # per-operation exceptions).
        "--phases",
        PHASES,
        "--mode",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(events),
        "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    result = read_events(events)
    result.exit_code = done.returncode
    result.output = done.stdout[-20000:] + done.stderr[-5000:]
    return result


def read_events(path: Path) -> FuzzResult:
    """Count the cases and the failures by check from the NDJSON event stream."""
    cases = 0
    operations: set[str] = set()
    failures: Counter[str] = Counter()
    if not path.exists():
        return FuzzResult(exit_code=-1, cases=0, operations=0)
    for line in path.read_text().splitlines():
        event = json.loads(line)
        for name, body in event.items():
            if name == "ScenarioFinished" or name.endswith("ScenarioFinished"):
                recorder = body.get("recorder", {})
                cases += len(recorder.get("cases", {}))
                label = recorder.get("label")
                if label:
                    operations.add(label)
                for case_checks in recorder.get("checks", {}).values():
                    for check in case_checks:
                        if check.get("status") == "failure":
                            failures[check.get("name", "?")] += 1
    return FuzzResult(exit_code=0, cases=cases, operations=len(operations), failures=failures)
