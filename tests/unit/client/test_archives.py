"""How a folder becomes an orchestration archive."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from airflow_wallaroo.client.archives import PreparedArchive, zip_folder


def _tree(root: Path) -> Path:
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "main.py").write_text("print('hi')\n")
    (root / "requirements.txt").write_text("six==1.16.0\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "pkg" / "util.pyc").write_bytes(b"\0")
    (root / "pkg" / "__pycache__" / "util.cpython-311.pyc").write_bytes(b"\0")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


class TestZipFolder:
    def test_paths_are_relative_sorted_and_without_caches(self, tmp_path: Path) -> None:
        archive = zip_folder(_tree(tmp_path / "src"), tmp_path / "out.zip")
        with zipfile.ZipFile(archive) as opened:
            assert opened.namelist() == ["main.py", "pkg/util.py", "requirements.txt"]
            assert opened.read("pkg/util.py") == b"X = 1\n"

    def test_the_same_files_give_the_same_bytes(self, tmp_path: Path) -> None:
        source = _tree(tmp_path / "src")
        first = zip_folder(source, tmp_path / "a.zip").read_bytes()
        os.utime(source / "main.py", (1_000_000, 1_000_000))  # mtimes do not matter
        assert zip_folder(source, tmp_path / "b.zip").read_bytes() == first

    def test_executable_bits_are_kept(self, tmp_path: Path) -> None:
        source = _tree(tmp_path / "src")
        (source / "run.sh").write_text("#!/bin/sh\n")
        (source / "run.sh").chmod(0o755)
        with zipfile.ZipFile(zip_folder(source, tmp_path / "out.zip")) as opened:
            assert (opened.getinfo("run.sh").external_attr >> 16) & 0o777 == 0o755


class TestPreparedArchive:
    def test_a_folder_becomes_a_temporary_zip_named_after_it(self, tmp_path: Path) -> None:
        with PreparedArchive.of(_tree(tmp_path / "hello")) as archive:
            assert archive.file_name == "hello.zip"
            temporary = archive.path
            assert zipfile.is_zipfile(temporary)
        assert not temporary.exists()

    def test_a_zip_is_used_in_place_and_kept(self, tmp_path: Path) -> None:
        path = tmp_path / "mine.zip"
        with zipfile.ZipFile(path, "w") as out:
            out.writestr("main.py", "")
        with PreparedArchive.of(path) as archive:
            assert (archive.path, archive.file_name) == (path, "mine.zip")
        assert path.exists()

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            pytest.param("nothing", None, "no such folder or file", id="missing"),
            pytest.param("code.py", b"print(1)", "not a ZIP archive", id="not-a-zip"),
        ],
    )
    def test_refused(self, tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
        if content is not None:
            (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=message):
            PreparedArchive.of(tmp_path / name)
