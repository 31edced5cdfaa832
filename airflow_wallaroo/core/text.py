"""Putting strings the client chose (archive entries, headers) into messages: escaped and short.

An archive's entry names and a parser's complaints may hold any bytes; a message carries
them as a printable, bounded string, never as binary junk.
"""

from __future__ import annotations

#: The most characters of a client-chosen string a message repeats.
SHOWN_CHARS = 80


def shown(value: str | bytes, limit: int = SHOWN_CHARS, *, quote: bool = True) -> str:
    """``value`` quoted, anything unprintable escaped (Python's repr), cut to ``limit`` characters.

    ``quote=False`` for text that is already a message (an exception's), where only the
    unprintable characters are escaped.
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    cut = len(value) > limit
    if quote:
        text = repr(value[:limit])
    else:  # a message of its own (an exception's): escape only what is not printable
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:limit])
    return f"{text}…" if cut else text
