"""`make invoke` for real: SAM runs the function in Docker against the stand-in containers (needs Docker)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from localdev.container_stand_ins import RUN_LABEL
from tests.invoke.conftest import REPO, run_make

EVENT = REPO / "events" / "api-gateway-rest.json"


def section(output: str, title: str) -> list[str]:
    """The lines under the `==> title` line of make invoke's output, up to the next `==>` line."""
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"==> {title}"))
    rest = lines[start + 1 :]
    end = next((index for index, line in enumerate(rest) if line.startswith("==> ")), len(rest))
    return [line.strip() for line in rest[:end]]


def docker_ids(*arguments: str) -> list[str]:
    listed = subprocess.run(["docker", *arguments, "--quiet"], capture_output=True, text=True, check=True)
    return listed.stdout.split()


@pytest.fixture(scope="module")
def invoked(docker_daemon: None) -> subprocess.CompletedProcess[str]:
    """One `make invoke EVENT=events/api-gateway-rest.json` (tens of seconds; minutes on a first run)."""
    return run_make("invoke", f"EVENT={EVENT.relative_to(REPO)}")


def test_make_invoke_answers_200_and_the_emulator_got_the_patch(
    invoked: subprocess.CompletedProcess[str],
) -> None:
    event = json.loads(EVENT.read_text())
    conversation, participant = (
        event["pathParameters"][name] for name in ("conversationId", "participantId")
    )
    sent = json.loads(event["body"])["attributes"]
    result = invoked

    assert result.returncode == 0, result.stdout + result.stderr
    assert section(result.stdout, "The function's answer")[0] == "HTTP 200"
    received = section(result.stdout, "What the Genesys emulator received")
    patch = f"/api/v2/conversations/{conversation}/participants/{participant}/attributes"
    assert any(re.fullmatch(rf"PATCH +{re.escape(patch)} -> 202", line) for line in received), received
    after = dict(
        line.split(" = ", 1) for line in section(result.stdout, "The participant's attributes after")
    )
    assert {key: after.get(key) for key in sent} == {key: str(value) for key, value in sent.items()}


def test_make_invoke_leaves_no_container_or_network_behind(invoked: subprocess.CompletedProcess[str]) -> None:
    network = re.search(r"on the Docker network (\S+)", invoked.stdout)

    assert network is not None, invoked.stdout + invoked.stderr
    # SAM's function container was on the network too: nothing on it, nothing labelled, no network.
    assert docker_ids("ps", "--all", "--filter", f"network={network[1]}") == []
    assert docker_ids("ps", "--all", "--filter", f"label={RUN_LABEL}={network[1]}") == []
    assert docker_ids("network", "ls", "--filter", f"name=^{network[1]}$") == []
