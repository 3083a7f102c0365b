"""The Velocity templates of the data actions' requests (docs/genesys-facts.md#web-services-data-actions).

Every input value reaches the body through `$esc.jsonString(...)` (Genesys's Velocity macros: "Escape any
use of input ... variables"), and the URL's through `$esc.url(...)`. An attribute input left empty in the
flow is *null* to Velocity, and `${input.x}` of a null prints its own name, so each attribute is guarded:
only the attributes the flow provides are sent, and the body stays valid JSON whatever the subset. The
guard `#if($v || $v == "")` is true for any provided value, `""` included (the usual way to clear a key):
Velocity 1.7 treats `""` as true, Velocity 2 as false, and `null == ""` is false in both.

An optional boolean input (`queueIfUnavailable`) is sent only when the flow sets it, as a JSON boolean:
the guard `#if($v == true || $v == false)` is false for null in both versions, and the value is written
as a literal `true` or `false` (never the input's own text), so nothing unescaped reaches the body.
"""

from __future__ import annotations

from collections.abc import Sequence

SEPARATOR = "$attributeSeparator"


def json_string(input_name: str) -> str:
    """A JSON string literal of an input's value."""
    return f'"$esc.jsonString(${{input.{input_name}}})"'


def url_segment(input_name: str) -> str:
    return f"$esc.url(${{input.{input_name}}})"


def request_template(body: str) -> str:
    """The whole template: declares the separator that attributes_object's entries use."""
    return f'#set({SEPARATOR} = ""){body}'


def attributes_object(attribute_inputs: Sequence[str]) -> str:
    """`{"key": "value", ...}` with one entry per provided attribute input (the key is the input's name)."""
    return "{" + "".join(_optional_entry(name) for name in attribute_inputs) + "}"


def _optional_entry(name: str) -> str:
    value = f"$input.{name}"
    return (
        f'#if({value} || {value} == ""){SEPARATOR}"{name}": {json_string(name)}#set({SEPARATOR} = ", ")#end'
    )


def json_object(fields: Sequence[tuple[str, str]], optional_booleans: Sequence[str] = ()) -> str:
    """`{"name": <rendered>, ...}` from already-rendered Velocity fragments (at least one), then each
    optional boolean input the flow set (see the module docstring)."""
    fixed = ", ".join(f'"{name}": {fragment}' for name, fragment in fields)
    return "{" + fixed + "".join(_optional_boolean(name) for name in optional_booleans) + "}"


def _optional_boolean(name: str) -> str:
    value = f"$input.{name}"
    return (
        f'#if({value} == true || {value} == false), "{name}": #if({value} == false)false#{{else}}true#end#end'
    )
