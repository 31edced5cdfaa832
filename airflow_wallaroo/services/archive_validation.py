"""Acceptance rules for an uploaded orchestration ZIP, checked on disk before it is kept.

Stdlib only. Names, kinds and declared sizes are judged from the central directory first,
so a hostile archive is refused before any of its data is inflated. Then every entry is
read to its end in chunks, so a bad CRC, a corrupt deflate stream or a header that lies
about sizes is caught here rather than at packaging time, with the reading bounded by
the configured limits so a zip bomb costs little.
"""

from __future__ import annotations

import lzma
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from string import ascii_letters

from airflow_wallaroo.core.text import shown
from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.settings import ArchiveLimits

ENTRYPOINT = "main.py"
REQUIREMENTS = "requirements.txt"
#: Entries are read in pieces this big, so no file is ever held whole in memory.
CHUNK = 1024 * 1024
#: Ratios are only judged above this size: small files compress oddly and harm nobody.
RATIO_FLOOR = 1024 * 1024
#: Resource forks Finder adds to archives; never part of the orchestration.
MACOS_JUNK = "__MACOSX/"
#: Linux's NAME_MAX and PATH_MAX, in bytes: an entry past them cannot be unpacked.
MAX_COMPONENT_BYTES = 255
MAX_PATH_BYTES = 4096
#: Names that must not come twice in a folder, whatever their case (they would be ambiguous).
SINGLE_PER_FOLDER = (ENTRYPOINT, REQUIREMENTS)
_ENCRYPTED_FLAG = 0x1
#: What zipfile and the decompressors raise for an entry they cannot read back.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)


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
    """Check the archive at ``path`` against the rules and ``limits``; return its manifest."""
    archive_size = path.stat().st_size
    if archive_size == 0:
        raise InvalidArchiveError("file: the upload is empty")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InvalidArchiveError(f"file: not a valid ZIP archive ({shown(str(exc), quote=False)})") from None
    with archive:
        files = _check_entries(archive.infolist(), limits, archive_size)
        real_total = _read_all(archive, files, limits)
    names = [info.filename for info in files]
    entrypoint = choose_entrypoint(names)
    if entrypoint is None:
        raise InvalidArchiveError(f"file: no {ENTRYPOINT} in the archive")
    requirements = sorted(name for name in _relevant(names) if PurePosixPath(name).name == REQUIREMENTS)
    if len(requirements) > 1:
        listed = ", ".join(shown(r) for r in requirements)
        raise InvalidArchiveError(f"file: more than one {REQUIREMENTS} in the archive: {listed}")
    return ArchiveManifest(
        entrypoint=entrypoint,
        requirements=requirements[0] if requirements else None,
        entries=len(files),
        uncompressed_bytes=real_total,
    )


def choose_entrypoint(names: Iterable[str]) -> str | None:
    """Pick ``main.py`` at the root, else the shallowest one, ties broken by path order.

    Deterministic, so the same archive always runs the same file.
    """
    candidates = [name for name in _relevant(names) if PurePosixPath(name).name == ENTRYPOINT]
    if not candidates:
        return None
    return min(candidates, key=lambda name: (len(PurePosixPath(name).parts), name))


def _relevant(names: Iterable[str]) -> list[str]:
    """Drop directories and macOS junk, which must never be mistaken for the user's files."""
    return [name for name in names if not name.endswith("/") and not name.startswith(MACOS_JUNK)]


def _check_entries(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits, archive_size: int
) -> list[zipfile.ZipInfo]:
    """Judge every entry from the central directory alone, before any data is read.

    Returns the file entries (directories excluded), in archive order.
    """
    files = [info for info in infos if not info.filename.endswith("/")]
    if len(files) > limits.max_entries:
        raise InvalidArchiveError(f"file: {len(files)} entries, over the limit of {limits.max_entries}")
    seen: set[str] = set()
    for info in infos:
        _check_entry(info, limits)
        if info.filename in seen:
            raise InvalidArchiveError(f"file: entry {shown(info.filename)} appears more than once")
        seen.add(info.filename)
    _check_layout([info.filename for info in files])
    declared = sum(info.file_size for info in files)
    if declared > limits.max_uncompressed_bytes:
        raise InvalidArchiveError(
            f"file: {declared} bytes uncompressed, over the limit of {limits.max_uncompressed_bytes} bytes"
        )
    overall = declared / archive_size
    if declared > RATIO_FLOOR and overall > limits.max_compression_ratio:
        raise InvalidArchiveError(
            f"file: looks like a zip bomb: {declared} bytes from a {archive_size}-byte archive "
            f"(ratio {overall:.0f}), over the limit of {limits.max_compression_ratio}"
        )
    return files


def _check_entry(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    """Refuse one entry whose name, kind, encryption or compression ratio is unacceptable."""
    _check_name(info.orig_filename)  # zipfile cuts ``filename`` at a NUL; the original keeps it
    name = info.filename
    mode = info.external_attr >> 16  # Unix mode bits; 0 when the archiver recorded none
    if stat.S_ISLNK(mode):
        raise InvalidArchiveError(f"file: entry {shown(name)} is a symlink; links are not accepted")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise InvalidArchiveError(f"file: entry {shown(name)} is a special file (device, fifo or socket)")
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise InvalidArchiveError(
            f"file: entry {shown(name)} is encrypted; encrypted entries are not accepted"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
        raise InvalidArchiveError(
            f"file: entry {shown(name)} looks like a zip bomb: {info.file_size} bytes from "
            f"{info.compress_size} compressed (ratio {ratio:.0f}), over the limit of "
            f"{limits.max_compression_ratio}"
        )


def _check_layout(names: list[str]) -> None:
    """Refuse what unpacking would trip on, or what would make the entrypoint ambiguous.

    ``main.py`` or ``requirements.txt`` twice in one folder under different cases; a file
    that is also the folder of another entry.
    """
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}
    single: dict[tuple[str, str], str] = {}
    for name in _relevant(names):
        path = PurePosixPath(name)
        if name.rstrip("/") in folders:
            raise InvalidArchiveError(
                f"file: entry {shown(name)} is both a file and a folder of other entries"
            )
        if path.name.lower() in SINGLE_PER_FOLDER:
            key = (str(path.parent), path.name.lower())
            if key in single:
                raise InvalidArchiveError(
                    f"file: {shown(single[key])} and {shown(name)} differ only in case; "
                    f"keep one {path.name.lower()} per folder"
                )
            single[key] = name


def _check_name(name: str) -> None:
    """Refuse names that could land outside the folder they are unpacked into (zip-slip),
    or that no Linux file system can hold."""
    if not name:
        raise InvalidArchiveError("file: an entry has an empty name")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise InvalidArchiveError(f"file: entry {shown(name)} has a path over {MAX_PATH_BYTES} bytes")
    for part in name.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogateescape")) > MAX_COMPONENT_BYTES:
            raise InvalidArchiveError(
                f"file: entry {shown(name)} has a name part over {MAX_COMPONENT_BYTES} bytes "
                f"({shown(part, 40)})"
            )
    if "\x00" in name:
        raise InvalidArchiveError(f"file: entry {shown(name)} has a NUL character in its name (zip-slip)")
    unified = name.replace("\\", "/")
    has_drive = len(unified) >= 2 and unified[0] in ascii_letters and unified[1] == ":"
    if unified.startswith("/") or has_drive:
        raise InvalidArchiveError(f"file: entry {shown(name)} has an absolute path (zip-slip)")
    if ".." in unified.split("/"):
        raise InvalidArchiveError(f"file: entry {shown(name)} has a '..' segment (zip-slip)")


def _read_all(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], limits: ArchiveLimits) -> int:
    """Read every entry to its end (zipfile checks the CRC there); return the real byte total."""
    total = 0
    for info in files:
        try:
            total = _drain(archive, info, total, limits)
        except _UNREADABLE as exc:
            raise InvalidArchiveError(
                f"file: entry {shown(info.filename)} is corrupt ({shown(str(exc), quote=False)})"
            ) from None
    return total


def _drain(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, limits: ArchiveLimits) -> int:
    """Read one entry in chunks, counting real bytes instead of trusting the headers.

    CPython's zipfile already stops at the declared size (a lying header then fails its CRC);
    these counts keep the limits true whatever reader sits underneath.
    """
    produced = 0
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            produced += len(chunk)
            total += len(chunk)
            if produced > info.file_size:
                raise InvalidArchiveError(
                    f"file: entry {shown(info.filename)} holds more than the {info.file_size} bytes "
                    "its header declares (a zip bomb?)"
                )
            if total > limits.max_uncompressed_bytes:
                raise InvalidArchiveError(
                    f"file: more than {limits.max_uncompressed_bytes} bytes uncompressed, over the limit"
                )
    return total
