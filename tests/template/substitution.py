"""The text of a `Fn::Sub` whose variable map holds conditional parts, as CloudFormation substitutes it.

The composite paging alarm's rule and the dashboard's body name the outbox's alarms and widgets through
variables that are empty when OutboxEnabled is false (`!Sub [text, {Var: !If [HasOutbox, !Sub ..., ""]}]`).
`sub_text` picks each variable's branch for the conditions given and returns the one-argument form's text:
what is left are the `${Resource}` and `${Resource.Attribute}` references CloudFormation resolves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def sub_text(value: Any, conditions: Mapping[str, bool]) -> str:
    """The text of a plain string, a one-argument `Fn::Sub`, or a two-argument one with its variables
    inlined; each variable is a string, a one-argument `Fn::Sub` or an `Fn::If` of those."""
    if isinstance(value, str):
        return value
    argument = value["Fn::Sub"]
    if isinstance(argument, str):
        return argument
    text, variables = argument
    assert isinstance(text, str)
    inlined = {name: _variable_text(variable, conditions) for name, variable in variables.items()}
    unused = set(inlined) - set(_VARIABLE.findall(text))
    assert not unused, f"variables the text never names: {sorted(unused)}"
    return _VARIABLE.sub(lambda match: inlined.get(match[1], match[0]), text)


def _variable_text(variable: Any, conditions: Mapping[str, bool]) -> str:
    if isinstance(variable, dict) and "Fn::If" in variable:
        condition, if_true, if_false = variable["Fn::If"]
        return _variable_text(if_true if conditions[condition] else if_false, conditions)
    if isinstance(variable, dict) and isinstance(variable.get("Fn::Sub"), str):
        text: str = variable["Fn::Sub"]
        return text
    assert isinstance(variable, str), f"not a variable sub_text understands: {variable!r}"
    return variable
