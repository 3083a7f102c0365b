"""moto_server on loopback: a real Secrets Manager endpoint for boto3, started and stopped by us."""

from __future__ import annotations

import json
import socket
import subprocess  # nosec B404  # starts moto_server, our own interpreter
import sys
import time
import urllib.request
from types import TracebackType
from typing import Any

import boto3
from mypy_boto3_secretsmanager import SecretsManagerClient

from localdev.processes import stop_process

LOOPBACK = "127.0.0.1"
# moto accepts any credentials; these keep boto3 from looking for real ones.
FAKE_AWS_ENVIRONMENT = {  # nosec B105  # moto accepts any credentials
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def aws_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client of `service` at a local endpoint, with moto's fake credentials."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=FAKE_AWS_ENVIRONMENT["AWS_DEFAULT_REGION"],
        aws_access_key_id=FAKE_AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
    )


def put_genesys_secret(
    endpoint_url: str, name: str, client_id: str, client_secret: str, environment: str
) -> str:
    """Create (or update) the secret the service reads, in the Secrets Manager at `endpoint_url`; returns
    its ARN."""
    client: SecretsManagerClient = aws_client("secretsmanager", endpoint_url)
    value = json.dumps({"client_id": client_id, "client_secret": client_secret, "environment": environment})
    try:
        return client.create_secret(Name=name, SecretString=value)["ARN"]
    except client.exceptions.ResourceExistsException:
        return client.put_secret_value(SecretId=name, SecretString=value)["ARN"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class MotoServer:
    """`python -m moto.server` in a child process, on a free loopback port."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> MotoServer:
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments  # nosec B603
            [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto_server exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):  # noqa: S310 - loopback http  # nosec B310
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not start within {self._startup_timeout} s")

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, timeout=5)
            self._process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def secrets_client(self) -> SecretsManagerClient:
        client: SecretsManagerClient = aws_client("secretsmanager", self.url)
        return client

    def put_genesys_secret(self, name: str, client_id: str, client_secret: str, environment: str) -> str:
        """Create (or update) the secret the service reads; returns its ARN."""
        return put_genesys_secret(self.url, name, client_id, client_secret, environment)
