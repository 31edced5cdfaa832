"""An uploaded ZIP is accepted only if it is safe to unpack and names one entrypoint.

Every archive here is a real ZIP written with ``zipfile``; the hostile ones are made by
patching the bytes of a valid archive, the way an attacker would.
"""

from __future__ import annotations

import dataclasses
import io
import random
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from airflow_wallaroo.exceptions import InvalidRequestError
from airflow_wallaroo.services.archive_validation import (
    RATIO_FLOOR,
    ArchiveManifest,
    InvalidArchiveError,
    choose_entrypoint,
    inspect_archive,
)
from airflow_wallaroo.settings import ArchiveLimits

MiB = 1024 * 1024
LIMITS = ArchiveLimits(
    max_archive_bytes=64 * MiB,
    max_entries=20,
    max_uncompressed_bytes=8 * MiB,
    max_compression_ratio=100,
    min_free_bytes=0,
)
MAIN = ("main.py", b"print('hello')\n")
CENTRAL_SIG = b"PK\x01\x02"

Entry = tuple[str | zipfile.ZipInfo, bytes]


# --- building and damaging archives ------------------------------------------------------


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    return tmp_path / "upload.zip"


def make_zip(path: Path, entries: Iterable[Entry], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def data_offset(raw: bytes | bytearray, name: str) -> int:
    """Where the (compressed) data of ``name`` starts, after its local header."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        local = archive.getinfo(name).header_offset
    name_length = int.from_bytes(raw[local + 26 : local + 28], "little")
    extra_length = int.from_bytes(raw[local + 28 : local + 30], "little")
    return local + 30 + name_length + extra_length


def header_offsets(raw: bytes | bytearray, name: str) -> tuple[int, int]:
    """Offsets of the local header and the central directory header of ``name``."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        local = archive.getinfo(name).header_offset
    encoded = name.encode()
    central = raw.find(CENTRAL_SIG)
    while central >= 0:
        length = int.from_bytes(raw[central + 28 : central + 30], "little")
        if raw[central + 46 : central + 46 + length] == encoded:
            return local, central
        central = raw.find(CENTRAL_SIG, central + 1)
    raise AssertionError(f"no central header for {name!r}")


def put_u16(raw: bytearray, offset: int, value: int) -> None:
    raw[offset : offset + 2] = value.to_bytes(2, "little")


def put_u32(raw: bytearray, offset: int, value: int) -> None:
    raw[offset : offset + 4] = value.to_bytes(4, "little")


def rejection(path: Path, limits: ArchiveLimits = LIMITS) -> str:
    """Inspect ``path`` expecting a refusal; return its message, which always names the field."""
    with pytest.raises(InvalidArchiveError) as caught:
        inspect_archive(path, limits)
    message = str(caught.value)
    assert message.startswith("file: ")
    assert caught.value.msg == message
    return message


# --- not a ZIP at all -------------------------------------------------------------------


class TestNotAZip:
    def test_empty_upload(self, upload: Path) -> None:
        upload.write_bytes(b"")
        assert rejection(upload) == "file: the upload is empty"

    def test_not_a_zip(self, upload: Path) -> None:
        upload.write_bytes(b"this is a plain text file, not an archive\n")
        assert rejection(upload) == "file: not a valid ZIP archive (File is not a zip file)"

    @pytest.mark.parametrize(
        "cut",
        [
            pytest.param(lambda raw: raw[:-1], id="last-byte"),
            pytest.param(lambda raw: raw[:-22], id="end-record"),
            pytest.param(lambda raw: raw[:-100], id="into-central-directory"),
            pytest.param(lambda raw: raw[: len(raw) // 2], id="half"),
        ],
    )
    def test_truncated(self, upload: Path, cut: Callable[[bytes], bytes]) -> None:
        make_zip(upload, [MAIN, ("data.bin", random.Random(0).randbytes(2000))])
        upload.write_bytes(cut(upload.read_bytes()))
        assert rejection(upload).startswith("file: not a valid ZIP archive (")

    def test_corrupt_central_directory(self, upload: Path) -> None:
        raw = bytearray(make_zip(upload, [MAIN]).read_bytes())
        _, central = header_offsets(raw, "main.py")
        raw[central : central + 4] = b"XXXX"
        upload.write_bytes(raw)
        assert rejection(upload).startswith("file: not a valid ZIP archive (")


# --- entries whose data cannot be read back ----------------------------------------------


class TestCorruptData:
    def test_bad_crc_in_stored_entry(self, upload: Path) -> None:
        raw = bytearray(make_zip(upload, [MAIN, ("data.txt", b"a" * 500)], zipfile.ZIP_STORED).read_bytes())
        raw[data_offset(raw, "data.txt") + 100] ^= 0xFF
        upload.write_bytes(raw)
        message = rejection(upload)
        assert message.startswith("file: entry 'data.txt' is corrupt (")
        assert "CRC" in message

    def test_bad_deflate_stream(self, upload: Path) -> None:
        raw = bytearray(make_zip(upload, [MAIN, ("data.txt", b"hello " * 200)]).read_bytes())
        raw[data_offset(raw, "data.txt")] = 0xFF  # final block with the reserved block type
        upload.write_bytes(raw)
        assert rejection(upload).startswith("file: entry 'data.txt' is corrupt (")

    def test_header_lying_about_its_size(self, upload: Path) -> None:
        """4 MiB declared as 1 KiB to slip under the limits: the reader stops at the lie and the CRC fails."""
        raw = bytearray(make_zip(upload, [MAIN, ("payload.bin", bytes(4 * MiB))]).read_bytes())
        local, central = header_offsets(raw, "payload.bin")
        put_u32(raw, local + 22, 1024)
        put_u32(raw, central + 24, 1024)
        upload.write_bytes(raw)
        limits = dataclasses.replace(LIMITS, max_uncompressed_bytes=MiB)
        message = rejection(upload, limits)
        assert message.startswith("file: entry 'payload.bin' is corrupt (")
        assert "CRC" in message

    def test_header_overstating_its_size_reports_the_real_total(self, upload: Path) -> None:
        raw = bytearray(make_zip(upload, [MAIN, ("data.txt", b"x" * 1000)]).read_bytes())
        local, central = header_offsets(raw, "data.txt")
        put_u32(raw, local + 22, 5000)
        put_u32(raw, central + 24, 5000)
        upload.write_bytes(raw)
        assert inspect_archive(upload, LIMITS).uncompressed_bytes == len(MAIN[1]) + 1000


class TestEncrypted:
    def test_encrypted_entry(self, upload: Path) -> None:
        raw = bytearray(make_zip(upload, [MAIN, ("secret.txt", b"shh")]).read_bytes())
        local, central = header_offsets(raw, "secret.txt")
        put_u16(raw, local + 6, int.from_bytes(raw[local + 6 : local + 8], "little") | 0x1)
        put_u16(raw, central + 8, int.from_bytes(raw[central + 8 : central + 10], "little") | 0x1)
        upload.write_bytes(raw)
        assert rejection(upload) == (
            "file: entry 'secret.txt' is encrypted; encrypted entries are not accepted"
        )


# --- names and kinds ------------------------------------------------------------------------


class TestZipSlip:
    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            pytest.param("/etc/cron.d/evil", "has an absolute path", id="posix-absolute"),
            pytest.param("\\windows\\evil.py", "has an absolute path", id="backslash-absolute"),
            pytest.param("C:\\evil.py", "has an absolute path", id="drive-backslash"),
            pytest.param("C:/evil.py", "has an absolute path", id="drive-slash"),
            pytest.param("../evil.py", "has a '..' segment", id="dotdot-leading"),
            pytest.param("app/../../evil.py", "has a '..' segment", id="dotdot-inside"),
            pytest.param("..\\evil.py", "has a '..' segment", id="dotdot-backslash"),
            pytest.param("app\\..\\..\\evil.py", "has a '..' segment", id="dotdot-backslash-inside"),
            pytest.param("app/..", "has a '..' segment", id="dotdot-trailing"),
        ],
    )
    def test_unsafe_name(self, upload: Path, name: str, reason: str) -> None:
        make_zip(upload, [MAIN, (name, b"x")])
        assert rejection(upload) == f"file: entry {name!r} {reason} (zip-slip)"

    @pytest.mark.parametrize(
        "name",
        [
            pytest.param("..data/x.py", id="dots-prefix"),
            pytest.param("app/x..y.py", id="dots-inside"),
            pytest.param("app/.../x.py", id="three-dots"),
        ],
    )
    def test_dots_that_are_not_a_parent_segment(self, upload: Path, name: str) -> None:
        make_zip(upload, [MAIN, (name, b"x")])
        assert inspect_archive(upload, LIMITS).entries == 2

    @pytest.mark.parametrize(
        ("placeholder", "real"),
        [
            pytest.param("evil#.py", "evil\x00.py", id="inside"),
            pytest.param("main.py#.sh", "main.py\x00.sh", id="disguised-as-main"),
        ],
    )
    def test_nul_in_name(self, upload: Path, placeholder: str, real: str) -> None:
        raw = make_zip(upload, [MAIN, (placeholder, b"x")]).read_bytes()
        upload.write_bytes(raw.replace(placeholder.encode(), real.encode()))
        assert rejection(upload) == f"file: entry {real!r} has a NUL character in its name (zip-slip)"


class TestSpecialFiles:
    @pytest.mark.parametrize(
        ("kind", "reason"),
        [
            pytest.param(stat.S_IFLNK, "is a symlink; links are not accepted", id="symlink"),
            pytest.param(stat.S_IFCHR, "is a special file (device, fifo or socket)", id="char-device"),
            pytest.param(stat.S_IFBLK, "is a special file (device, fifo or socket)", id="block-device"),
            pytest.param(stat.S_IFIFO, "is a special file (device, fifo or socket)", id="fifo"),
            pytest.param(stat.S_IFSOCK, "is a special file (device, fifo or socket)", id="socket"),
        ],
    )
    def test_rejected(self, upload: Path, kind: int, reason: str) -> None:
        info = zipfile.ZipInfo("link")
        info.external_attr = (kind | 0o777) << 16
        make_zip(upload, [MAIN, (info, b"/etc/passwd")])
        assert rejection(upload) == f"file: entry 'link' {reason}"

    @pytest.mark.parametrize(
        "external_attr",
        [
            pytest.param((stat.S_IFREG | 0o644) << 16, id="regular-file"),
            pytest.param(0o755 << 16, id="permissions-only"),
            pytest.param(0, id="no-mode-recorded"),
        ],
    )
    def test_accepted(self, upload: Path, external_attr: int) -> None:
        info = zipfile.ZipInfo("tool.sh")
        info.external_attr = external_attr
        make_zip(upload, [MAIN, (info, b"echo hi\n")])
        assert inspect_archive(upload, LIMITS).entries == 2


class TestDuplicates:
    @pytest.mark.parametrize(
        "name",
        [pytest.param("main.py", id="entrypoint"), pytest.param("app/util.py", id="nested")],
    )
    def test_duplicate_entry(self, upload: Path, name: str) -> None:
        with pytest.warns(UserWarning, match="Duplicate name"):
            make_zip(upload, [MAIN, (name, b"first"), (name, b"second")])
        assert rejection(upload) == f"file: entry {name!r} appears more than once"


# --- limits -----------------------------------------------------------------------------------


def with_corrupt_entry(upload: Path, entries: list[Entry]) -> None:
    """Write ``entries`` plus a stored entry with a bad CRC, to prove a check runs before any read."""
    make_zip(upload, [*entries, ("broken.txt", b"b" * 100)], zipfile.ZIP_STORED)
    raw = bytearray(upload.read_bytes())
    raw[data_offset(raw, "broken.txt")] ^= 0xFF
    upload.write_bytes(raw)


class TestEntryLimit:
    def test_too_many_entries_rejected_before_reading(self, upload: Path) -> None:
        with_corrupt_entry(upload, [MAIN, ("a.py", b""), ("b.py", b"")])
        limits = dataclasses.replace(LIMITS, max_entries=3)
        assert rejection(upload, limits) == "file: 4 entries, over the limit of 3"

    def test_directories_do_not_count(self, upload: Path) -> None:
        make_zip(upload, [("app/", b""), ("app/lib/", b""), ("app/main.py", b""), ("app/lib/a.py", b"")])
        limits = dataclasses.replace(LIMITS, max_entries=2)
        assert inspect_archive(upload, limits).entries == 2


class TestUncompressedLimit:
    def test_declared_total_over_limit_rejected_before_reading(self, upload: Path) -> None:
        with_corrupt_entry(upload, [MAIN, ("data.bin", random.Random(1).randbytes(2000))])
        limits = dataclasses.replace(LIMITS, max_uncompressed_bytes=1000)
        total = len(MAIN[1]) + 2000 + 100
        assert rejection(upload, limits) == f"file: {total} bytes uncompressed, over the limit of 1000 bytes"

    def test_total_at_limit_accepted(self, upload: Path) -> None:
        make_zip(upload, [MAIN, ("data.bin", b"d" * 985)])
        limits = dataclasses.replace(LIMITS, max_uncompressed_bytes=len(MAIN[1]) + 985)
        assert inspect_archive(upload, limits).uncompressed_bytes == limits.max_uncompressed_bytes


class TestZipBomb:
    def test_deflate_bomb_entry(self, upload: Path) -> None:
        """50 MiB of zeros deflates about 1000:1; refused from the header, before inflating any of it."""
        with zipfile.ZipFile(upload, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(*MAIN)
            with archive.open("bomb.bin", "w") as bomb:
                for _ in range(50):
                    bomb.write(bytes(MiB))
        limits = dataclasses.replace(LIMITS, max_uncompressed_bytes=100 * MiB)
        message = rejection(upload, limits)
        assert message.startswith(f"file: entry 'bomb.bin' looks like a zip bomb: {50 * MiB} bytes from ")
        assert message.endswith("over the limit of 100")

    @pytest.mark.parametrize(
        ("size", "accepted"),
        [
            pytest.param(RATIO_FLOOR, True, id="at-floor-not-judged"),
            pytest.param(RATIO_FLOOR + 1, False, id="above-floor-judged"),
        ],
    )
    def test_ratio_floor(self, upload: Path, size: int, accepted: bool) -> None:
        make_zip(upload, [("main.py", b""), ("zeros.bin", bytes(size))])
        if accepted:
            assert inspect_archive(upload, LIMITS).uncompressed_bytes == size
        else:
            assert rejection(upload).startswith("file: entry 'zeros.bin' looks like a zip bomb: ")

    def test_overall_ratio(self, upload: Path) -> None:
        """Many entries each under the floor still add up to a bomb."""
        make_zip(upload, [MAIN, *((f"part{i}.bin", bytes(MiB // 2)) for i in range(8))])
        message = rejection(upload)
        assert message.startswith(f"file: looks like a zip bomb: {4 * MiB + len(MAIN[1])} bytes from a ")
        assert message.endswith("over the limit of 100")

    def test_big_incompressible_entry_accepted(self, upload: Path) -> None:
        """Read in chunks across several MiB; the total is counted, not copied from the headers."""
        make_zip(upload, [MAIN, ("model.bin", random.Random(2).randbytes(3 * MiB + 7))])
        assert inspect_archive(upload, LIMITS).uncompressed_bytes == 3 * MiB + 7 + len(MAIN[1])


# --- what gets run ------------------------------------------------------------------------------


class TestChooseEntrypoint:
    @pytest.mark.parametrize(
        ("names", "expected"),
        [
            pytest.param(["a/main.py", "main.py", "b/c/main.py"], "main.py", id="root-wins"),
            pytest.param(["a/b/main.py", "z/main.py"], "z/main.py", id="shallowest-wins"),
            pytest.param(["b/main.py", "a/main.py"], "a/main.py", id="tie-path-order"),
            pytest.param(["app/main.py", "App/main.py"], "App/main.py", id="tie-string-order"),
            pytest.param(["app/", "app/util.py", "app/main.py"], "app/main.py", id="nested-only"),
            pytest.param(["__MACOSX/main.py", "x/y/main.py"], "x/y/main.py", id="macos-junk-ignored"),
            pytest.param(["__MACOSX/main.py"], None, id="only-macos-junk"),
            pytest.param(["main.py/", "main.py/x.py"], None, id="directory-named-main"),
            pytest.param(["Main.py", "main.pyc", "notmain.py", "main.py.txt"], None, id="near-misses"),
            pytest.param([], None, id="empty"),
        ],
    )
    def test_choice(self, names: list[str], expected: str | None) -> None:
        assert choose_entrypoint(names) == expected
        assert choose_entrypoint(reversed(names)) == expected  # archive order never matters

    @pytest.mark.parametrize(
        "entries",
        [
            pytest.param([("run.py", b"")], id="none"),
            pytest.param([("__MACOSX/main.py", b""), ("run.py", b"")], id="only-macos-junk"),
            pytest.param([("main.py/", b""), ("main.py/run.py", b"")], id="directory-named-main"),
        ],
    )
    def test_archive_without_entrypoint(self, upload: Path, entries: list[Entry]) -> None:
        make_zip(upload, entries)
        assert rejection(upload) == "file: no main.py in the archive"


class TestRequirements:
    @pytest.mark.parametrize(
        ("entries", "expected"),
        [
            pytest.param([MAIN], None, id="none"),
            pytest.param([MAIN, ("requirements.txt", b"numpy\n")], "requirements.txt", id="root"),
            pytest.param([MAIN, ("deps/requirements.txt", b"")], "deps/requirements.txt", id="nested"),
            pytest.param(
                [MAIN, ("requirements.txt", b""), ("__MACOSX/requirements.txt", b"")],
                "requirements.txt",
                id="macos-junk-ignored",
            ),
            pytest.param(
                [MAIN, ("requirements.txt/", b""), ("dev-requirements.txt", b"")], None, id="near-misses"
            ),
        ],
    )
    def test_found(self, upload: Path, entries: list[Entry], expected: str | None) -> None:
        make_zip(upload, entries)
        assert inspect_archive(upload, LIMITS).requirements == expected

    def test_more_than_one(self, upload: Path) -> None:
        entries = [MAIN, ("b/requirements.txt", b""), ("requirements.txt", b""), ("a/requirements.txt", b"")]
        make_zip(upload, entries)
        assert rejection(upload) == (
            "file: more than one requirements.txt in the archive: "
            "'a/requirements.txt', 'b/requirements.txt', 'requirements.txt'"
        )


# --- accepted archives --------------------------------------------------------------------------


class TestHappyPath:
    @pytest.mark.parametrize(
        ("entries", "compression", "expected"),
        [
            pytest.param([MAIN], zipfile.ZIP_DEFLATED, ArchiveManifest("main.py", None, 1, 15), id="minimal"),
            pytest.param(
                [
                    ("app/", b""),
                    ("app/main.py", b"import lib\n"),
                    ("app/requirements.txt", b"pandas\n"),
                    ("app/lib/", b""),
                    ("app/lib/__init__.py", b""),
                ],
                zipfile.ZIP_DEFLATED,
                ArchiveManifest("app/main.py", "app/requirements.txt", 3, 18),
                id="nested-with-directories",
            ),
            pytest.param(
                [MAIN, ("requirements.txt", b"requests\n"), ("__MACOSX/._main.py", b"junk")],
                zipfile.ZIP_STORED,
                ArchiveManifest("main.py", "requirements.txt", 3, 28),
                id="stored-with-macos-junk",
            ),
        ],
    )
    def test_manifest(
        self, upload: Path, entries: list[Entry], compression: int, expected: ArchiveManifest
    ) -> None:
        make_zip(upload, entries, compression)
        assert inspect_archive(upload, LIMITS) == expected

    def test_error_is_a_bad_request(self) -> None:
        error = InvalidArchiveError("file: the upload is empty")
        assert isinstance(error, InvalidRequestError)
        assert error.status_code == 400
