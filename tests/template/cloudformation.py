"""What CloudFormation makes of a template for given parameter values, modelled offline for the tests.

`deploy()` checks the parameter values against each parameter's AllowedPattern and AllowedValues (as
CloudFormation refuses a stack that breaks them), evaluates the Conditions, drops the resources and outputs
whose condition is false, and resolves the intrinsic functions that depend only on parameters, mappings
and pseudo parameters (`Ref`, `Fn::If`, `Fn::FindInMap`, `Fn::Sub`, `AWS::NoValue`). References to
resources (`Ref`, `Fn::GetAtt`, a resource in `Fn::Sub`) stay as they are: they name what a test follows.
Give it the translated template (scripts/lint_translated_template.py) to see what SAM generates too.
`Deployment.physical()` then puts stand-ins for what CloudFormation would put in place of those references,
for a value that must look real (an environment the code checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::StackName": "stack",
    "AWS::URLSuffix": "amazonaws.com",
}
# What `Ref` returns for a resource of each type (AWS CloudFormation Template Reference, each type's
# "Return values"), as a stand-in built from the resource's logical name and properties.
_REF_STAND_INS: dict[str, Callable[[str, Mapping[str, Any], Mapping[str, str]], str]] = {
    "AWS::SQS::Queue": lambda name, properties, pseudo: (  # the queue URL; a FIFO queue's name ends in .fifo
        f"https://sqs.{pseudo['AWS::Region']}.{pseudo['AWS::URLSuffix']}/{pseudo['AWS::AccountId']}/"
        f"{pseudo['AWS::StackName']}-{name}-ABC123{'.fifo' if properties.get('FifoQueue') else ''}"
    ),
    "AWS::DynamoDB::Table": lambda name, properties, pseudo: f"{pseudo['AWS::StackName']}-{name}-ABC123",
}
_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True, slots=True)
class Deployment:
    """The resources and outputs that would exist, with their properties resolved as far as possible."""

    resources: dict[str, Any]
    outputs: dict[str, Any]
    pseudo_parameters: Mapping[str, str]

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return {name: body for name, body in self.resources.items() if body["Type"] == resource_type}

    def physical(self, node: Any) -> Any:
        """`node` with each `Ref` to a resource replaced by a stand-in of what CloudFormation returns for it;
        a reference this model has no stand-in for raises, naming it."""
        if isinstance(node, list):
            return [self.physical(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in self.resources:
            body = self.resources[node["Ref"]]
            stand_in = _REF_STAND_INS.get(body["Type"])
            if stand_in is None:
                raise ValueError(f"no stand-in for Ref {node['Ref']} ({body['Type']}): add one")
            return stand_in(node["Ref"], body.get("Properties", {}), self.pseudo_parameters)
        if set(node) & {"Ref", "Fn::GetAtt", "Fn::Sub"}:
            raise ValueError(f"no stand-in for {node}: add one")
        return {key: self.physical(value) for key, value in node.items()}

    def dependencies(self, name: str) -> set[str]:
        """Every resource `name` waits for, directly or through others (DependsOn, Ref, GetAtt, Sub)."""
        found: set[str] = set()
        pending = [name]
        while pending:
            for needed in _direct_dependencies(self.resources[pending.pop()], self.resources):
                if needed not in found:
                    found.add(needed)
                    pending.append(needed)
        return found


def deploy(
    template: Mapping[str, Any],
    parameters: Mapping[str, str] | None = None,
    pseudo_parameters: Mapping[str, str] | None = None,
) -> Deployment:
    """The template as deployed with these parameter values (the others keep their defaults)."""
    pseudo = {**DEFAULT_PSEUDO_PARAMETERS, **(pseudo_parameters or {})}
    values: dict[str, Any] = {**pseudo, **_parameter_values(template.get("Parameters", {}), parameters or {})}
    resolver = _Resolver(template, values)
    resources = {
        name: resolver.resolve(body)
        for name, body in template.get("Resources", {}).items()
        if resolver.holds(body.get("Condition"))
    }
    outputs = {
        name: resolver.resolve(body)
        for name, body in template.get("Outputs", {}).items()
        if resolver.holds(body.get("Condition"))
    }
    return Deployment(resources=resources, outputs=outputs, pseudo_parameters=pseudo)


def _parameter_values(declared: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, Any]:
    unknown = set(given) - set(declared)
    if unknown:
        raise ValueError(f"no such parameter: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, declaration in declared.items():
        if name not in given and "Default" not in declaration:
            values[name] = f"{name}-value"  # a required parameter the test does not care about
            continue
        value = given.get(name, declaration.get("Default"))
        pattern = declaration.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, str(value)):
            raise ValueError(f"{name}={value!r} does not match AllowedPattern {pattern}")
        allowed = declaration.get("AllowedValues")
        if allowed is not None and str(value) not in {str(choice) for choice in allowed}:
            raise ValueError(f"{name}={value!r} is not one of {allowed}")
        values[name] = value
    return values


class _Resolver:
    def __init__(self, template: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        self._conditions = template.get("Conditions", {})
        self._mappings = template.get("Mappings", {})
        self._values = values

    def holds(self, condition: str | None) -> bool:
        if condition is None:
            return True
        result = self._evaluate(self._conditions[condition])
        assert isinstance(result, bool), f"condition {condition} is not a boolean: {result!r}"
        return result

    def _evaluate(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((function, argument),) = expression.items()
            if function == "Fn::Equals":
                left, right = (self.resolve(side) for side in argument)
                return str(left) == str(right)
            if function == "Fn::Not":
                return not self._evaluate(argument[0])
            if function == "Fn::And":
                return all(self._evaluate(part) for part in argument)
            if function == "Fn::Or":
                return any(self._evaluate(part) for part in argument)
            if function == "Condition":
                return self.holds(argument)
        return self.resolve(expression)

    def resolve(self, node: Any) -> Any:
        resolved = self._resolve(node)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self._resolve(item) for item in node]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Ref":
                if argument == "AWS::NoValue":
                    return _NO_VALUE
                return self._values.get(argument, node)
            if function == "Fn::If":
                condition, if_true, if_false = argument
                return self._resolve(if_true if self.holds(condition) else if_false)
            if function == "Fn::FindInMap":
                mapping, top, second = (self._resolve(part) for part in argument)
                return self._mappings[mapping][top][second]
            if function == "Fn::Sub":
                return self._substitute(argument)
        resolved = {key: self._resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    def _substitute(self, argument: Any) -> Any:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        candidates = {**self._values, **{name: self._resolve(value) for name, value in variables.items()}}
        # A value still holding a Ref or GetAtt names a resource: its ${...} stays for CloudFormation.
        known = {name: value for name, value in candidates.items() if isinstance(value, str | int)}

        def value(match: re.Match[str]) -> str:
            name = match[1]
            return str(known[name]) if name in known else match[0]

        substituted = _SUB_VARIABLE.sub(value, text)
        if _SUB_VARIABLE.search(substituted):
            return {"Fn::Sub": substituted}  # still names a resource
        return substituted.replace("${!", "${")


def _direct_dependencies(body: Mapping[str, Any], resources: Mapping[str, Any]) -> set[str]:
    depends_on = body.get("DependsOn", [])
    named = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    named |= set(_references(body))
    return {name for name in named if name in resources}


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else str(value).split(".", 1)[0]
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                yield from (name.split(".", 1)[0] for name in _SUB_VARIABLE.findall(text))
                if not isinstance(value, str):
                    yield from _references(value[1])
            else:
                yield from _references(value)
