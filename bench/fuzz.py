"""``make fuzz``: Schemathesis over a real stack, every phase and check, 5,000+ cases, seeded.

Starts its own SQLite stack (``airflow-wallaroo standalone`` on a free port, as ``make run``
does), runs the same CLI as ``tests/api/test_fuzz.py`` with more examples per operation,
prints the figures (cases, operations, failures by check), and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.support.fuzz import run_schemathesis
from tests.support.stack import AirflowStack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=200, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--min-cases", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallaroo-fuzz-") as folder:
        home = Path(folder)
        stack = AirflowStack(home=home / "airflow", backend="sqlite")
        stack.start()
        try:
            result = run_schemathesis(
                f"{stack.base_url}/v1",
                stack.token("admin"),
                max_examples=args.max_examples,
                seed=args.seed,
                report_dir=home / "report",
            )
        finally:
            stack.stop()
    print(result.output[-6000:])
    print(result.phases())
    print(f"make fuzz: seed {args.seed}: {result.summary()}")
    if result.failures or result.exit_code != 0:
        return 1
    if result.cases < args.min_cases:
        print(f"make fuzz: only {result.cases} cases, fewer than {args.min_cases}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
