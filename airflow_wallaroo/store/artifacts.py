"""The artifact store: orchestration archives, one object per sha256, written atomically.

A local folder by default; any URL (``s3://``, ``gs://``, ``file://``...) goes through
Airflow's ObjectStoragePath, so the same code serves object storage. Archives are
keyed by content, so identical uploads share one stored copy.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from airflow_wallaroo.core import locks
from airflow_wallaroo.core.layout import ARCHIVES_FOLDER, archive_in
from airflow_wallaroo.core.permissions import PRIVATE, make_dir

TMP_PREFIX = ".tmp-"
COPY_CHUNK = 4 * 1024 * 1024


class ArtifactStore(Protocol):
    """Where archives live. Every write is all-or-nothing."""

    location: str

    def put_archive(self, sha: str, source: Path) -> None:
        """Store ``source`` as the archive of ``sha`` (moving it when it can); idempotent."""

    def has_archive(self, sha: str) -> bool: ...

    def open_archive(self, sha: str) -> BinaryIO: ...

    def local_path(self, sha: str) -> Path | None:
        """The archive's path when the store is a local folder, else None."""

    def local_root(self) -> Path | None:
        """The store's folder when it is a local one, else None."""

    def delete_archive(self, sha: str) -> None: ...

    def list_archives(self, older_than_seconds: float = 0) -> Iterator[str]:
        """The shas stored, keeping only archives at least that old."""

    def sweep_temporaries(self, older_than_seconds: float) -> int:
        """Remove half-written leftovers of crashed writes; return how many."""


class LocalArtifactStore:
    """Archives under ``<root>/archives/<sha>.zip``; writes are a rename within the folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.location = str(self.root)
        self.archives = self.root / ARCHIVES_FOLDER

    def path_of(self, sha: str) -> Path:
        return archive_in(self.root, sha)

    def put_archive(self, sha: str, source: Path) -> None:
        target = self.path_of(sha)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        make_dir(self.root, PRIVATE)
        make_dir(self.archives, PRIVATE)
        temporary = self.archives / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        try:
            try:
                os.rename(source, temporary)  # same filesystem: no copy at all
            except OSError:
                with source.open("rb") as src, temporary.open("wb") as dst:
                    locks.lock_open_file(dst.fileno())  # a sweep leaves a copy in progress alone
                    shutil.copyfileobj(src, dst, COPY_CHUNK)
                source.unlink(missing_ok=True)
            _fsync_file(temporary)
            os.replace(temporary, target)
            _fsync_dir(self.archives)
        finally:
            temporary.unlink(missing_ok=True)

    def has_archive(self, sha: str) -> bool:
        return self.path_of(sha).is_file()

    def open_archive(self, sha: str) -> BinaryIO:
        return self.path_of(sha).open("rb")

    def local_path(self, sha: str) -> Path | None:
        return self.path_of(sha)

    def local_root(self) -> Path | None:
        return self.root

    def delete_archive(self, sha: str) -> None:
        self.path_of(sha).unlink(missing_ok=True)

    def list_archives(self, older_than_seconds: float = 0) -> Iterator[str]:
        if self.archives.is_dir():
            cutoff = time.time() - older_than_seconds
            for path in self.archives.glob("*.zip"):
                if path.stat().st_mtime <= cutoff:
                    yield path.stem

    def sweep_temporaries(self, older_than_seconds: float) -> int:
        # Local writes hold a lock: what nobody holds was left by a crash, whatever its age.
        return sweep_abandoned_files(self.archives, TMP_PREFIX)


class ObjectArtifactStore:
    """Archives under ``<url>/archives/<sha>.zip`` through Airflow's ObjectStoragePath.

    Each write goes to a temporary key first and is renamed into place, so a reader
    never sees a partial archive (on S3 and GCS a single upload is atomic anyway).
    """

    def __init__(self, url: str, conn_id: str | None = None) -> None:
        from airflow.sdk import ObjectStoragePath

        self.location = url
        self.root = ObjectStoragePath(url, conn_id=conn_id) if conn_id else ObjectStoragePath(url)
        self.archives = self.root / ARCHIVES_FOLDER

    def _object(self, sha: str) -> Any:
        return self.archives / f"{sha}.zip"

    def put_archive(self, sha: str, source: Path) -> None:
        target = self._object(sha)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        self.archives.mkdir(parents=True, exist_ok=True)
        temporary: Any = self.archives / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        try:
            with source.open("rb") as src, temporary.open("wb") as dst:
                shutil.copyfileobj(src, dst, COPY_CHUNK)
            temporary.rename(target)
        finally:
            if temporary.exists():
                temporary.unlink()
        source.unlink(missing_ok=True)

    def has_archive(self, sha: str) -> bool:
        return bool(self._object(sha).exists())

    def open_archive(self, sha: str) -> BinaryIO:
        handle: BinaryIO = self._object(sha).open("rb")
        return handle

    def local_path(self, sha: str) -> Path | None:
        return None

    def local_root(self) -> Path | None:
        return None

    def delete_archive(self, sha: str) -> None:
        target = self._object(sha)
        if target.exists():
            target.unlink()

    def list_archives(self, older_than_seconds: float = 0) -> Iterator[str]:
        if self.archives.exists():
            cutoff = time.time() - older_than_seconds
            for item in self.archives.iterdir():
                if item.name.endswith(".zip") and _mtime(item) <= cutoff:
                    yield item.name[: -len(".zip")]

    def sweep_temporaries(self, older_than_seconds: float) -> int:
        removed = 0
        if not self.archives.exists():
            return 0
        cutoff = time.time() - older_than_seconds
        for item in self.archives.iterdir():
            if item.name.startswith(TMP_PREFIX) and _mtime(item) <= cutoff:
                item.unlink()
                removed += 1
        return removed


def open_artifact_store(location: str) -> ArtifactStore:
    """Return the store for a ``[wallaroo] artifact_store`` value: a folder or a URL."""
    if "://" in location:
        return ObjectArtifactStore(location)
    return LocalArtifactStore(Path(location))


#: A file is only judged once this old: its writer takes the lock just after creating it.
LOCK_GRACE_SECONDS = 2.0


def sweep_abandoned_files(folder: Path, prefix: str, grace_seconds: float = LOCK_GRACE_SECONDS) -> int:
    """Remove files named ``prefix*`` that no live process holds locked; return how many."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - grace_seconds
    removed = 0
    for item in folder.iterdir():
        if not item.name.startswith(prefix):
            continue
        try:
            young = item.stat().st_mtime > cutoff
        except FileNotFoundError:
            continue
        if not young and locks.is_abandoned(item):
            item.unlink(missing_ok=True)
            removed += 1
    return removed


def _mtime(item: Any) -> float:
    """Modification time of an object-storage entry; 0 (old) when the backend has none."""
    modified = item.stat().get("mtime") or item.stat().get("LastModified") or item.stat().get("created")
    if modified is None:
        return 0.0
    return modified.timestamp() if hasattr(modified, "timestamp") else float(modified)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
