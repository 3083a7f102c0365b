"""Fixtures of the template tests: template.yaml as written (shared by every test: never modify it), its
resources, the function, its environment, its API event and the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.template.sam import API, FUNCTION, function_events, source_template


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return source_template()


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


def _properties(resources: dict[str, Any], name: str, resource_type: str) -> dict[str, Any]:
    """The Properties of the resource `name`, which must be of `resource_type`."""
    assert resources[name]["Type"] == resource_type
    properties: dict[str, Any] = resources[name]["Properties"]
    return properties


@pytest.fixture(scope="session")
def function(resources: dict[str, Any]) -> dict[str, Any]:
    """The function's Properties."""
    return _properties(resources, FUNCTION, "AWS::Serverless::Function")


@pytest.fixture(scope="session")
def environment(function: dict[str, Any]) -> dict[str, Any]:
    """The function's environment variables, as written."""
    variables: dict[str, Any] = function["Environment"]["Variables"]
    return variables


@pytest.fixture(scope="session")
def api(resources: dict[str, Any]) -> dict[str, Any]:
    """The REST API's Properties."""
    return _properties(resources, API, "AWS::Serverless::Api")


@pytest.fixture(scope="session")
def route(function: dict[str, Any]) -> dict[str, Any]:
    """The Properties of the function's one API event."""
    (found,) = function_events(function, "Api")
    return found
