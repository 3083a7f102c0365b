"""What the command prints: the result on stdout (text, or one JSON document with --json), problems on
stderr as text, or on stdout as `{"code", "message", "status"?}` with --json.

Nothing printed here ever contains the client secret or a token: results carry IDs, keys and values,
errors carry the service's messages (which never include credentials: errors.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

PROGRAM = "participant-data"


class Printer:
    def __init__(self, as_json: bool, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.as_json = as_json
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr

    def result(self, document: Mapping[str, object], lines: Iterable[str]) -> None:
        """The command's result: `document` with --json, else the human `lines`."""
        if self.as_json:
            self._write_json(document)
        else:
            for line in lines:
                print(line, file=self._stdout)

    def error(self, body: Mapping[str, object], status: int | None = None) -> None:
        """`body` is a ServiceError's `{"code", "message", "retryAfterSeconds"?}`."""
        if self.as_json:
            self._write_json({**body, **({"status": status} if status is not None else {})})
        else:
            print(f"{PROGRAM}: error: {body['message']} [{body['code']}]", file=self._stderr)

    def note(self, text: str) -> None:
        """A hint for a person (usage): stderr, and only without --json."""
        if text and not self.as_json:
            print(text, file=self._stderr, end="" if text.endswith("\n") else "\n")

    def _write_json(self, document: Mapping[str, object]) -> None:
        print(json.dumps(document, ensure_ascii=False), file=self._stdout)


def quoted(value: str) -> str:
    """A value as the human output shows it: quoted and escaped, so empty and blank values are visible."""
    return json.dumps(value, ensure_ascii=False)
