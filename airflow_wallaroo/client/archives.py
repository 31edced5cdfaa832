"""Turning what the user points at into an orchestration archive, and counting bytes as they leave."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

#: Never packed: caches and version-control folders have no place in an orchestration.
SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv", ".mypy_cache", ".pytest_cache"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def zip_folder(folder: Path, destination: Path) -> Path:
    """Write ``folder``'s files into the ZIP ``destination``, paths relative to ``folder``, sorted.

    Sorted paths and fixed timestamps make the same files give the same bytes, hence the
    same sha256, so a re-upload of unchanged code reuses its built environment.
    """
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        files.extend(Path(root) / n for n in names if not n.endswith(SKIPPED_SUFFIXES))
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
            with path.open("rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
    return destination


class PreparedArchive:
    """A ZIP ready to upload: the user's own file, or a temporary one made from a folder."""

    def __init__(self, path: Path, file_name: str, temporary: bool) -> None:
        self.path = path
        self.file_name = file_name
        self._temporary = temporary

    @classmethod
    def of(cls, source: Path) -> PreparedArchive:
        """Accept a folder (zipped to a temp file) or an existing ``.zip``; anything else is a ValueError."""
        if source.is_dir():
            handle, name = tempfile.mkstemp(prefix="wallaroo-upload-", suffix=".zip")
            os.close(handle)
            try:
                zip_folder(source, Path(name))
            except BaseException:
                os.unlink(name)
                raise
            return cls(Path(name), f"{source.resolve().name or 'orchestration'}.zip", temporary=True)
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise ValueError(f"{source} is not a ZIP archive: give a folder or a .zip file")
            return cls(source, source.name, temporary=False)
        raise ValueError(f"{source}: no such folder or file")

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def discard(self) -> None:
        if self._temporary:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> PreparedArchive:
        return self

    def __exit__(self, *_: object) -> None:
        self.discard()


class ProgressReader:
    """A binary file whose reads report the bytes read so far, for an upload progress bar.

    httpx measures the length with ``fileno``/``seek``/``tell`` and rewinds before sending,
    so those are passed through and a rewind restarts the count.
    """

    def __init__(self, file: BinaryIO, on_progress: Callable[[int], None]) -> None:
        self._file = file
        self._on_progress = on_progress
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        if chunk:
            self._done += len(chunk)
            self._on_progress(self._done)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._file.seek(offset, whence)
        self._done = position
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()
