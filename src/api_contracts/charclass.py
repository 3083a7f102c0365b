"""Regular-expression character classes computed from Unicode categories, so a schema's `pattern` states
exactly the characters participant_data.validation accepts instead of an approximation written by hand.

Only the Basic Multilingual Plane is listed, with `\\uXXXX` escapes: that syntax means the same in
ECMA-262 (JSON Schema's regex dialect, without the `u` flag) and in Python's `re` (what schemathesis and
jsonschema use). Astral characters are therefore outside every class built here; a class built here
describes a subset of what the service accepts, never more.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

_BMP = range(0x10000)


def character_class(accepts: Callable[[str], bool], *, negated: bool = False) -> str:
    """`[...]` listing every BMP character for which `accepts` is true, as ranges; `[^...]` if negated."""
    ranges = "".join(_range_text(first, last) for first, last in _runs(accepts))
    return f"[{'^' if negated else ''}{ranges}]"


def in_categories(categories: frozenset[str]) -> Callable[[str], bool]:
    return lambda char: unicodedata.category(char) in categories


def _runs(accepts: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    start: int | None = None
    for code in _BMP:
        if accepts(chr(code)):
            if start is None:
                start = code
        elif start is not None:
            yield start, code - 1
            start = None
    if start is not None:
        yield start, _BMP[-1]


def _range_text(first: int, last: int) -> str:
    if first == last:
        return _escape(first)
    return f"{_escape(first)}{'' if last == first + 1 else '-'}{_escape(last)}"


def _escape(code: int) -> str:
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\u{code:04x}"
