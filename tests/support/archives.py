"""Building orchestration archives for the tests: from the examples, or from a dict of files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"


def zip_files(files: dict[str, str | bytes]) -> bytes:
    """A ZIP holding ``files`` (name -> content), deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_example(name: str) -> bytes:
    """A ZIP of ``examples/<name>``, paths relative to that folder, in sorted order."""
    root = EXAMPLES / name
    files = {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return zip_files(files)
