"""Changing ``spec_shards`` moves specs: reconcile must leave each task in exactly one shard."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from airflow_wallaroo.core.naming import shard_of
from airflow_wallaroo.services.specs import remove_misplaced_specs
from airflow_wallaroo.settings import load_settings


def place_spec(folder: Path, task_id: str, shards: int) -> Path:
    path = folder / f"shard_{shard_of(task_id, shards):02d}" / f"{task_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    return path


def test_specs_of_another_shard_count_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__WALLAROO__SPEC_FOLDER", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__WALLAROO__SPEC_SHARDS", "64")
    ids = [str(uuid.uuid4()) for _ in range(40)]
    old = {task_id: place_spec(tmp_path, task_id, 16) for task_id in ids}
    new = {task_id: place_spec(tmp_path, task_id, 64) for task_id in ids}
    emptied = remove_misplaced_specs(load_settings())
    moved = [task_id for task_id in ids if shard_of(task_id, 16) != shard_of(task_id, 64)]
    assert moved, "some of 40 random ids land in another shard"
    for task_id in ids:
        assert new[task_id].exists()
        assert old[task_id].exists() == (task_id not in moved)
    assert emptied == {shard_of(task_id, 16) for task_id in moved}
    assert remove_misplaced_specs(load_settings()) == set()
