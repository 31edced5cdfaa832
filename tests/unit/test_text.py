"""Client-chosen strings in messages: escaped and short."""

from __future__ import annotations

from airflow_wallaroo.core.text import SHOWN_CHARS, shown


def test_binary_is_escaped() -> None:
    assert shown(b"a\x00\xff") == "'a\\x00\\\\xff'"
    assert shown("x\x07y").isprintable()


def test_long_values_are_cut() -> None:
    text = shown("n" * 1000)
    assert text.endswith("…") and len(text) <= SHOWN_CHARS + 3


def test_messages_keep_their_own_quotes() -> None:
    assert shown("name 'x' and b'\x01' differ", quote=False) == "name 'x' and b'\\x01' differ"
