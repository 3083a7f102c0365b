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


@pytest.fixture(scope="session")
def function(resources: dict[str, Any]) -> dict[str, Any]:
    """The function's Properties."""
    assert resources[FUNCTION]["Type"] == "AWS::Serverless::Function"
    properties: dict[str, Any] = resources[FUNCTION]["Properties"]
    return properties


@pytest.fixture(scope="session")
def environment(function: dict[str, Any]) -> dict[str, Any]:
    """The function's environment variables, as written."""
    variables: dict[str, Any] = function["Environment"]["Variables"]
    return variables


@pytest.fixture(scope="session")
def api(resources: dict[str, Any]) -> dict[str, Any]:
    """The REST API's Properties."""
    assert resources[API]["Type"] == "AWS::Serverless::Api"
    properties: dict[str, Any] = resources[API]["Properties"]
    return properties


@pytest.fixture(scope="session")
def route(function: dict[str, Any]) -> dict[str, Any]:
    """The Properties of the function's one API event."""
    (found,) = function_events(function, "Api")
    return found
