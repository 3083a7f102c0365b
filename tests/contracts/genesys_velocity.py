"""Renders a data action's Velocity templates as Genesys would, for the tests: airspeed (a Python Velocity
implementation) with stand-ins for the two EscapeTool methods the templates use.

`jsonString` escapes like Apache Commons' StringEscapeUtils.escapeJson (what Velocity's EscapeTool uses):
quote, backslash and slash, the short escapes, and every other character outside printable ASCII as
`\\uXXXX` (astral ones as a UTF-16 pair). `url` is URLEncoder.encode (application/x-www-form-urlencoded).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

import airspeed  # type: ignore[import-untyped, unused-ignore]

_SHORT = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


class EscapeTool:
    def jsonString(self, value: object) -> str:  # the macro's name in Genesys
        return "".join(_escape_json_char(char) for char in str(value))

    def url(self, value: object) -> str:
        return urllib.parse.quote_plus(str(value), safe="*")


def _escape_json_char(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    if " " <= char <= "~":
        return char
    encoded = char.encode("utf-16-be")
    return "".join(f"\\u{encoded[i]:02X}{encoded[i + 1]:02X}" for i in range(0, len(encoded), 2))


def render(template: str, inputs: Mapping[str, object], credentials: Mapping[str, str] | None = None) -> str:
    namespace = {"input": dict(inputs), "esc": EscapeTool(), "credentials": dict(credentials or {})}
    rendered: str = airspeed.Template(template).merge(namespace)
    return rendered
