"""`make invoke EVENT=events/<file>.json`: the real `sam local invoke` against the local stand-ins, in Docker.

1. A Docker daemon must answer; where none does, one line says so and points to `make demo` and
   `make serve` (the same flow without Docker), exit status 2.
2. The python3.13 Lambda base image (scripts/build-lambda-image.sh, `make lambda-image`: pulled, or built
   offline where it cannot be) and the function's package for this machine's architecture
   (localdev.lambda_package: Lambda runs arm64, this machine may be x86_64), each made only when missing
   or out of date.
3. A Docker network of this run's own, with moto_server (Secrets Manager) and the Genesys Cloud emulator
   as containers on it. Their ports are published on 127.0.0.1 only, for this process to seed them: the
   secret (client credentials, `environment` = the emulator container's URL), the OAuth client, the
   conversation and customer participant the event names.
4. A copy of template.yaml for this architecture, its CodeUri the package, and an env-vars file pointing
   the function at the stand-ins by container name; then `sam local invoke --docker-network` puts the
   function on the run's network. No traffic leaves loopback or that network.
5. Prints the function's answer, the requests the emulator received and the participant's attributes
   after; then removes every container on the network and the network, on failure and Ctrl-C too.
   Exit status 0 when the function answered without an error (HTTP status below 400), 1 otherwise,
   130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess  # nosec B404  # runs sam and the project's own scripts
import sys
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from localdev.container_stand_ins import STAND_IN_VARIABLES, StandIns, stand_ins
from localdev.docker import DockerError, daemon_problem, image_exists
from localdev.lambda_package import ensure_host_package, host_architecture, invoke_package_dir
from localdev.moto_server import FAKE_AWS_ENVIRONMENT
from localdev.processes import stop_process
from localdev.stack import SAMPLE_EVENT, sample_ids
from localdev.template import load_template
from participant_data.models import CUSTOMER_ALIAS

REPO = Path(__file__).resolve().parents[2]
FUNCTION = "ParticipantDataFunction"
BUILD_DIR = REPO / "build" / "invoke"
# A first run makes SAM's image (its runtime interface emulator over the base image); the function's own
# Timeout (27 s) bounds the invocation itself.
SAM_TIMEOUT_SECONDS = 600.0
EXIT_OK, EXIT_FAILED, EXIT_NO_DOCKER, EXIT_INTERRUPTED = 0, 1, 2, 130

NO_DOCKER_HINT = (
    "make invoke: {problem}, and `sam local invoke` needs one. Without Docker, `make demo` runs the same "
    "flow in-process and `make serve` serves the API on localhost (docs/local-invoke.md)."
)


def lambda_image(architecture: str) -> str:
    """The public python3.13 base image `sam local invoke` runs the function in."""
    return f"public.ecr.aws/lambda/python:3.13-{architecture}"


def event_target(event: Mapping[str, Any]) -> tuple[str, str]:
    """(conversation ID, customer participant ID) the emulator must hold for `event`.

    API Gateway events carry them in pathParameters, direct invocations at the top level; a participant
    given as the `customer` alias, or none at all (the scheduled health check), gets the sample's ID.
    """
    parameters = event.get("pathParameters")
    source: Mapping[str, Any] = parameters if isinstance(parameters, Mapping) else event
    sample_conversation, sample_customer = sample_ids()
    conversation = source.get("conversationId")
    participant = source.get("participantId")
    return (
        conversation if isinstance(conversation, str) and conversation else sample_conversation,
        participant
        if isinstance(participant, str) and participant not in ("", CUSTOMER_ALIAS)
        else sample_customer,
    )


def invoke_template(package: Path, architecture: str) -> dict[str, Any]:
    """template.yaml with the function built already (`package`) for `architecture`, and the stand-ins'
    variables declared."""
    template = load_template()
    function = template["Resources"][FUNCTION]
    function.pop("Metadata", None)  # BuildMethod: makefile; the package is built
    properties = function["Properties"]
    properties["CodeUri"] = str(package)
    properties["Architectures"] = [architecture]
    variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
    for name in STAND_IN_VARIABLES:
        variables.setdefault(name, "")
    # No outbox here: SAM would hand the function the queue's and table's logical IDs as their URL and name.
    template["Parameters"]["OutboxEnabled"]["Default"] = "false"
    return template


def answer_succeeded(answer: Any) -> bool:
    """Whether the function answered without an error: no Lambda error object, an HTTP status below 400."""
    if not isinstance(answer, dict):
        return answer is not None
    if "errorType" in answer or "errorMessage" in answer:
        return False
    status = answer.get("statusCode", 200)
    return isinstance(status, int) and status < 400


def sam_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """SAM's own environment: no telemetry, and moto's fake credentials instead of any real ones (SAM
    passes its credentials into the function's container)."""
    kept = {name: value for name, value in environ.items() if not name.startswith("AWS_")}
    return {**kept, **FAKE_AWS_ENVIRONMENT, "SAM_CLI_TELEMETRY": "0"}


def sam_command(sam: str, template: Path, event: Path, env_vars: Path, network: str) -> list[str]:
    """`sam local invoke` on the run's network, with the base image already here (pulled or built), so
    SAM need not pull it (and cannot, where the registry is out of reach)."""
    return [
        *(sam, "local", "invoke", FUNCTION),
        *("--template", str(template), "--event", str(event), "--env-vars", str(env_vars)),
        *("--docker-network", network, "--skip-pull-image"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # in order with SAM's stderr
    problem = daemon_problem()
    if problem is not None:
        print(NO_DOCKER_HINT.format(problem=problem), file=sys.stderr)
        return EXIT_NO_DOCKER
    # Ctrl-C, and SIGTERM, end the run through the clean-up below.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    try:
        return _run(arguments)
    except KeyboardInterrupt:
        print("\nInterrupted: the stand-ins and the network are removed.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (DockerError, RuntimeError, subprocess.SubprocessError) as error:
        print(f"make invoke: {error}", file=sys.stderr)
        return EXIT_FAILED


def _run(arguments: argparse.Namespace) -> int:
    event_file: Path = arguments.event.resolve()
    event = json.loads(event_file.read_text())
    architecture = host_architecture()
    image = lambda_image(architecture)
    if not image_exists(image):
        _step(f"Making the Lambda base image {image} (make lambda-image)")
        subprocess.run(  # noqa: S603  # nosec B603  # the project's own script
            [str(REPO / "scripts" / "build-lambda-image.sh"), str(arguments.python)], check=True, cwd=REPO
        )
    package, built = ensure_host_package(arguments.python, invoke_package_dir())
    _step(f"{'Built' if built else 'Reusing'} the function's {architecture} package ({_shown(package)})")

    run_id = f"gpd-invoke-{uuid.uuid4().hex[:8]}"
    conversation_id, customer_id = event_target(event)
    _step(f"Starting the stand-ins on the Docker network {run_id}")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with (
        stand_ins(run_id, image, conversation_id, customer_id) as running,
        tempfile.TemporaryDirectory(dir=BUILD_DIR, prefix=f"{run_id}-") as scratch,
    ):
        print(
            f"  Genesys Cloud emulator  {running.emulator_url_in_network}  (here: {running.admin.base_url})"
        )
        print(f"  moto_server             {running.moto_url_in_network}  (here: {running.moto_url})")
        print(f"  conversation {conversation_id}, customer participant {customer_id}")
        template, env_vars = Path(scratch) / "template.json", Path(scratch) / "env-vars.json"
        template.write_text(json.dumps(invoke_template(package, architecture), indent=2))
        env_vars.write_text(json.dumps({FUNCTION: running.function_variables()}, indent=2))
        command = sam_command(str(arguments.sam), template, event_file, env_vars, running.network)
        _step(f"sam local invoke {FUNCTION} --event {_shown(event_file)} --docker-network {running.network}")
        answer = _invoke(command)
        _report(answer, running, conversation_id, customer_id)
    _step("Removed the stand-ins and the network")
    return EXIT_OK if answer_succeeded(answer) else EXIT_FAILED


def _invoke(command: list[str]) -> Any:
    """Run SAM (its log and the function's on stderr, as it prints them); the answer it printed."""
    process = subprocess.Popen(  # noqa: S603  # nosec B603  # sam, our arguments
        command, stdout=subprocess.PIPE, env=sam_environment(os.environ), cwd=REPO
    )
    try:
        stdout, _ = process.communicate(timeout=SAM_TIMEOUT_SECONDS)
    finally:
        if process.poll() is None:  # interrupted or timed out: SAM stops its container on SIGTERM
            stop_process(process, timeout=10)
    lines = stdout.decode(errors="replace").strip().splitlines()
    if process.returncode != 0 or not lines:
        print(f"sam local invoke exited {process.returncode}", file=sys.stderr)
        return None
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        return lines[-1]


def _report(answer: Any, running: StandIns, conversation_id: str, customer_id: str) -> None:
    _step("The function's answer")
    if isinstance(answer, dict) and "statusCode" in answer:
        print(f"  HTTP {answer['statusCode']}\n  body: {answer.get('body')}")
    else:
        print(f"  {json.dumps(answer)}")
    _step("What the Genesys emulator received")
    for request in running.admin.requests:
        print(f"  {request.method:5} {request.path} -> {request.status}")
    _step(f"The participant's attributes after (conversation {conversation_id}, participant {customer_id})")
    for key, value in running.admin.participant_attributes(conversation_id, customer_id).items():
        print(f"  {key} = {value}")


def _step(text: str) -> None:
    print(f"==> {text}", flush=True)


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make invoke", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--event", type=Path, default=SAMPLE_EVENT, help="the event file (default: %(default)s)"
    )
    parser.add_argument("--python", type=Path, required=True, help="Python 3.13, to build the package with")
    parser.add_argument("--sam", type=Path, required=True, help="the sam command (.venv-sam/bin/sam)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
