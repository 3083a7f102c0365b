"""A stand-in org for the suite's real-org path: the emulator served over TLS on loopback, with a
certificate made for the test and trusted only through the suite's ``--ca-bundle``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from genesys_emulator import GenesysEmulator
from tests.conformance.certificates import TestCertificates, make_certificates

CLIENT_ID = "conformance-org-client"
CLIENT_SECRET = "conformance-secret-Qw93-do-not-leak"
FLOW_DATA = {"flow_language": "en-US", "ivr choice": "billing"}
"""What the test call's customer already carries (set by the flow): the suite must leave it alone."""


@dataclass
class SuiteRun:
    exit_code: int
    output: str
    out_dir: Path

    @property
    def last_line(self) -> str:
        return self.output.strip().splitlines()[-1]

    def report_files(self) -> list[Path]:
        return sorted(self.out_dir.glob("*")) if self.out_dir.exists() else []

    def report(self) -> dict[str, Any]:
        (path,) = self.out_dir.glob("org-*.json")
        document: dict[str, Any] = json.loads(path.read_text())
        return document

    def check(self, check_id: str) -> dict[str, Any]:
        (check,) = [c for c in self.report()["checks"] if c["id"] == check_id]
        found: dict[str, Any] = check
        return found


@dataclass
class StandInOrg:
    emulator: GenesysEmulator
    certificates: TestCertificates
    conversation_id: str
    participant_id: str
    tmp_path: Path

    @property
    def environ(self) -> dict[str, str]:
        return {"GENESYS_CLIENT_ID": CLIENT_ID, "GENESYS_CLIENT_SECRET": CLIENT_SECRET}

    def run(self, *options: str, ca_bundle: bool = True, environ: dict[str, str] | None = None) -> SuiteRun:
        """``python -m conformance run --target org`` against this stand-in, in-process."""
        out_dir = self.tmp_path / "reports"
        base = self.emulator.base_url
        argv = [
            "run",
            "--target",
            "org",
            "--api-base-url",
            base,
            "--login-base-url",
            base,
            "--conversation-id",
            self.conversation_id,
            "--participant-id",
            self.participant_id,
            "--min-interval",
            "0",
            "--out",
            str(out_dir),
            *(["--ca-bundle", str(self.certificates.ca_bundle)] if ca_bundle else []),
            *options,
        ]
        buffer = io.StringIO()
        exit_code = main(argv, environ=self.environ if environ is None else environ, out=buffer)
        print(buffer.getvalue())  # captured by pytest: the session's credential leak scan reads it too
        return SuiteRun(exit_code, buffer.getvalue(), out_dir)

    def attributes(self) -> dict[str, str]:
        return self.emulator.participant_attributes(self.conversation_id, self.participant_id)


@pytest.fixture
def org(tmp_path: Path) -> Iterator[StandInOrg]:
    certificates = make_certificates(tmp_path / "tls")
    with GenesysEmulator(tls=certificates.server_context()) as emulator:
        emulator.add_client(CLIENT_ID, CLIENT_SECRET)
        conversation = emulator.create_conversation(
            [{"purpose": "customer", "attributes": dict(FLOW_DATA)}, {"purpose": "agent"}]
        )
        yield StandInOrg(
            emulator,
            certificates,
            conversation["id"],
            conversation["participants"][0]["id"],
            tmp_path,
        )
