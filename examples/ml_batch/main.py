"""A batch ML job: train a classifier on the wine dataset, score it, and save the results.

The dataset ships inside scikit-learn, so the job needs no network at run time.

Arguments (all optional):

* ``"model"``: ``"logistic"`` (default) or ``"forest"``;
* ``"test_size"``: share of the rows held out for scoring, between 0 and 1 (default 0.25);
* ``"seed"``: integer seed for the split and the model (default 0);
* ``"output_dir"``: where ``predictions.csv`` and ``metrics.json`` go (default ``./results``).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from airflow_wallaroo.runtime import in_task, task_args
except ImportError:  # the orchestration's venv need not have airflow-wallaroo installed

    def in_task() -> bool:
        """True when the launcher set WALLAROO_TASK_ID."""
        return bool(os.environ.get("WALLAROO_TASK_ID"))

    def task_args() -> dict[str, Any]:
        """The JSON object the launcher wrote, or {} outside a task."""
        path = Path(os.environ.get("WALLAROO_ARGUMENTS_PATH") or "arguments.json")
        if not path.is_file():
            return {}
        args = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(args, dict):
            raise ValueError(f"task arguments in {path} must be a JSON object")
        return args


MODELS = ("logistic", "forest")


class BadArgument(ValueError):
    """An argument the job cannot use; reported on stderr with exit code 2."""


@dataclass(frozen=True)
class Settings:
    model: str
    test_size: float
    seed: int
    output_dir: Path


def parse_settings(args: dict[str, Any]) -> Settings:
    """Check the arguments before importing scikit-learn, so mistakes fail fast and clearly."""
    model = args.get("model", "logistic")
    if model not in MODELS:
        raise BadArgument(f"'model' must be one of {', '.join(MODELS)}, got {model!r}")
    test_size = args.get("test_size", 0.25)
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or not 0 < test_size < 1:
        raise BadArgument(f"'test_size' must be a number between 0 and 1, got {test_size!r}")
    seed = args.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BadArgument(f"'seed' must be a non-negative integer, got {seed!r}")
    output_dir = args.get("output_dir") or "results"
    if not isinstance(output_dir, str):
        raise BadArgument(f"'output_dir' must be a path, got {output_dir!r}")
    return Settings(model=model, test_size=float(test_size), seed=seed, output_dir=Path(output_dir))


def build_model(name: str, seed: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "forest":
        return RandomForestClassifier(n_estimators=200, random_state=seed)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))


def run(settings: Settings) -> dict[str, Any]:
    """Train, score and write the outputs; returns the metrics it wrote."""
    import sklearn
    from sklearn.datasets import load_wine
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    data = load_wine()
    x_train, x_test, y_train, y_test, _, idx_test = train_test_split(
        data.data,
        data.target,
        range(len(data.target)),
        test_size=settings.test_size,
        random_state=settings.seed,
        stratify=data.target,
    )
    model = build_model(settings.model, settings.seed)
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    accuracy = float(accuracy_score(y_test, predicted))

    settings.output_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.output_dir / "predictions.csv", "w", newline="", encoding="utf-8") as fp:
        writer = csv.writer(fp)
        writer.writerow(["row", "actual", "predicted"])
        for row, actual, guess in zip(idx_test, y_test, predicted):
            writer.writerow([row, data.target_names[actual], data.target_names[guess]])
    metrics = {
        "model": settings.model,
        "accuracy": accuracy,
        "test_size": settings.test_size,
        "seed": settings.seed,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "sklearn_version": sklearn.__version__,
    }
    (settings.output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def main() -> int:
    args = task_args()
    print(f"ml_batch: in_task = {in_task()}", flush=True)
    print(f"ml_batch: arguments = {json.dumps(args, sort_keys=True)}", flush=True)
    try:
        settings = parse_settings(args)
    except BadArgument as exc:
        print(f"ml_batch: error: {exc}", file=sys.stderr)
        return 2
    metrics = run(settings)
    print(f"ml_batch: accuracy={metrics['accuracy']}", flush=True)
    print(f"ml_batch: wrote {settings.output_dir / 'predictions.csv'} and metrics.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
