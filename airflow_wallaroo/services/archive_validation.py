"""Acceptance rules for an uploaded orchestration ZIP, checked on disk before it is kept.

Stdlib only. Every entry is read (in chunks), so a bad CRC, a corrupt deflate stream or
a header that lies about sizes is caught here rather than at packaging time, with the
reading bounded by the configured limits so a zip bomb costs little.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.settings import ArchiveLimits

ENTRYPOINT = "main.py"
REQUIREMENTS = "requirements.txt"
CHUNK = 1024 * 1024
#: Ratios are only judged above this size: tiny files compress oddly and harm nobody.
RATIO_FLOOR = 1024 * 1024


class InvalidArchiveError(InvalidRequestError):
    """Raised when an uploaded archive breaks the acceptance rules; nothing of it is kept."""


@dataclass(frozen=True)
class ArchiveManifest:
    """What the packaging and the runners need to know about an accepted archive."""

    entrypoint: str
    requirements: str | None
    entries: int
    uncompressed_bytes: int


def inspect_archive(path: Path, limits: ArchiveLimits) -> ArchiveManifest:
    """Check the archive at ``path`` against the rules and limits; return its manifest."""
    size = path.stat().st_size
    if size == 0:
        raise InvalidArchiveError("file: the upload is empty")
    try:
        with zipfile.ZipFile(path) as archive:
            files = _check_entries(archive.infolist(), limits, size)
            real_total = _read_everything(archive, files, limits)
    except zipfile.BadZipFile as exc:
        raise InvalidArchiveError(f"file: not a valid ZIP archive ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise InvalidArchiveError(f"file: not a readable ZIP archive ({exc})") from None
    names = [info.filename for info in files]
    entrypoint = choose_entrypoint(names)
    if entrypoint is None:
        raise InvalidArchiveError(f"file: no {ENTRYPOINT} in the archive")
    requirements = sorted(n for n in _relevant(names) if PurePosixPath(n).name == REQUIREMENTS)
    if len(requirements) > 1:
        raise InvalidArchiveError(f"file: more than one {REQUIREMENTS} in the archive: {', '.join(requirements)}")
    return ArchiveManifest(
        entrypoint=entrypoint,
        requirements=requirements[0] if requirements else None,
        entries=len(files),
        uncompressed_bytes=real_total,
    )


def choose_entrypoint(names: Iterable[str]) -> str | None:
    """``main.py`` at the root, else the shallowest one, ties broken by path order."""
    candidates = [n for n in _relevant(names) if PurePosixPath(n).name == ENTRYPOINT]
    if not candidates:
        return None
    return min(candidates, key=lambda n: (len(PurePosixPath(n).parts), n))


def _relevant(names: Iterable[str]) -> list[str]:
    return [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]


def _check_entries(infos: list[zipfile.ZipInfo], limits: ArchiveLimits, archive_size: int) -> list[zipfile.ZipInfo]:
    """Check names, kinds and declared sizes before reading any data; return the file entries."""
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_entries:
        raise InvalidArchiveError(f"file: {len(files)} entries, over the limit of {limits.max_entries} entries")
    seen: set[str] = set()
    for info in infos:
        _check_name(info.filename)
        if info.filename in seen:
            raise InvalidArchiveError(f"file: entry {info.filename!r} appears twice")
        seen.add(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise InvalidArchiveError(f"file: entry {info.filename!r} is a symlink; links are not accepted")
        kind = stat.S_IFMT(mode)  # 0 when the archiver recorded permissions only
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise InvalidArchiveError(f"file: entry {info.filename!r} is not a regular file")
        if info.flag_bits & 0x1:
            raise InvalidArchiveError(f"file: entry {info.filename!r} is encrypted")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise InvalidArchiveError(
                f"file: entry {info.filename!r} has a compression ratio of {ratio:.0f}, over the limit of "
                f"{limits.max_compression_ratio} (a zip bomb?)"
            )
    declared = sum(info.file_size for info in files)
    if declared > limits.max_uncompressed_bytes:
        raise InvalidArchiveError(
            f"file: {declared} bytes uncompressed, over the limit of {limits.max_uncompressed_bytes} bytes"
        )
    overall = declared / archive_size
    if declared > RATIO_FLOOR and overall > limits.max_compression_ratio:
        raise InvalidArchiveError(
            f"file: overall compression ratio of {overall:.0f}, over the limit of "
            f"{limits.max_compression_ratio} (a zip bomb?)"
        )
    return files


def _check_name(name: str) -> None:
    """Refuse names that would land outside the folder they are unpacked into (zip-slip)."""
    if "\x00" in name:
        raise InvalidArchiveError(f"file: entry {name!r} has a NUL character in its name")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise InvalidArchiveError(f"file: entry {name!r} has an absolute path")
    if ".." in unified.split("/"):
        raise InvalidArchiveError(f"file: entry {name!r} has a '..' segment (zip-slip)")


def _read_everything(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], limits: ArchiveLimits) -> int:
    """Read every entry (zipfile checks each CRC at its end), counting the real bytes."""
    total = 0
    for info in files:
        produced = 0
        try:
            with archive.open(info) as entry:
                while chunk := entry.read(CHUNK):
                    produced += len(chunk)
                    total += len(chunk)
                    if produced > info.file_size:
                        raise InvalidArchiveError(
                            f"file: entry {info.filename!r} holds more bytes than its header declares (a zip bomb?)"
                        )
                    if total > limits.max_uncompressed_bytes:
                        raise InvalidArchiveError(
                            f"file: over {limits.max_uncompressed_bytes} bytes uncompressed, over the limit"
                        )
        except zipfile.BadZipFile as exc:
            raise InvalidArchiveError(f"file: entry {info.filename!r} is corrupt ({exc})") from None
        except zlib.error as exc:
            raise InvalidArchiveError(f"file: entry {info.filename!r} is corrupt ({exc})") from None
    return total
