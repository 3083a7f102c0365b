"""Runs the operator CLI as operators do: a child process, with a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localdev.moto_server import FAKE_AWS_ENVIRONMENT
from localdev.stack import CLIENT_ID, CLIENT_SECRET, LocalStack

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PATH = os.pathsep.join(str(ROOT / folder) for folder in ("src", "src/handler"))


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout must be exactly one JSON document."""
        return json.loads(self.stdout)


@dataclass
class Cli:
    stack: LocalStack
    workdir: Path

    def run(
        self,
        *arguments: str,
        credentials: str | None = "secret",
        extra_environment: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Run:
        """`python -m operator_cli ARGUMENTS` with credentials from the secret in moto_server, from the
        GENESYS_CLIENT_* variables ("environment"), or none. Every output is echoed for the suite's leak
        scan and checked for the client secret and issued tokens here too."""
        environment = {**base_environment(self.workdir), **self._credentials(credentials)}
        environment.update(extra_environment or {})
        completed = subprocess.run(
            [sys.executable, "-m", "operator_cli", *arguments],
            capture_output=True,
            text=True,
            env=environment,
            cwd=self.workdir,
            timeout=timeout,
            check=False,
        )
        print(f"$ participant-data {' '.join(arguments)} -> {completed.returncode}")
        print(completed.stdout, completed.stderr, sep="\n")
        output = completed.stdout + completed.stderr
        for credential in [CLIENT_SECRET, *self.stack.genesys.issued_tokens]:
            assert credential not in output
        return Run(completed.returncode, completed.stdout, completed.stderr)

    def _credentials(self, kind: str | None) -> dict[str, str]:
        if kind == "secret":
            return {
                "GENESYS_SECRET_ID": self.stack.secret_name,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.stack.moto.url,
            }
        if kind == "environment":
            return {
                "GENESYS_CLIENT_ID": CLIENT_ID,
                "GENESYS_CLIENT_SECRET": CLIENT_SECRET,
                "GENESYS_ENVIRONMENT": self.stack.genesys.base_url,
            }
        return {}


def base_environment(home: Path) -> dict[str, str]:
    """A clean environment: nothing from the test process's own service settings, no real AWS config."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "PYTHONPATH": SOURCE_PATH,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        **FAKE_AWS_ENVIRONMENT,
    }
