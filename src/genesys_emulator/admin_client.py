"""``EmulatorAdmin``: drive an emulator in another process through its admin HTTP API (standard library only).

Same method names and return types as :class:`genesys_emulator.GenesysEmulator`::

    admin = EmulatorAdmin("http://127.0.0.1:8089")
    admin.add_client("client-id", "secret")
    conv = admin.create_conversation([{"purpose": "customer"}])
    admin.inject_fault(Fault(status=503, count=2))

Errors are raised as the in-process API raises them: ``KeyError`` for an unknown client, conversation
or participant (404), ``ValueError`` for invalid input (400), :class:`EmulatorAdminError` otherwise.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote, urlencode

from .admin_api import fault_from_json
from .errors import RATE_LIMIT_WINDOW_SECONDS
from .models import DEFAULT_TOKEN_LIFETIME, ConversationInfo, Fault, ParticipantInfo, RecordedRequest


class EmulatorAdminError(RuntimeError):
    """An admin request failed in a way the in-process API has no exception for."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(f"emulator admin API answered {status}: {message}")


class EmulatorAdmin:
    """A client of the admin API of the emulator at ``base_url`` (e.g. ``http://127.0.0.1:8089``)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str | None] | None = None
    ) -> Any:
        url = f"{self.base_url}/_emulator{path}"
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urlencode(params)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) base URL
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310  # nosec B310  # the admin base URL, http(s) on loopback
                raw = answer.read()
        except urllib.error.HTTPError as error:
            message = _error_message(error.read())
            if error.code == 404:
                raise KeyError(message) from None
            if error.code == 400:
                raise ValueError(message) from None
            raise EmulatorAdminError(error.code, message) from None
        return json.loads(raw) if raw else None

    # --- OAuth clients and tokens ----------------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        name: str | None = None,
    ) -> None:
        body = {"client_id": client_id, "client_secret": client_secret, "token_lifetime": token_lifetime}
        if name is not None:
            body["name"] = name
        self._call("POST", "/clients", body)

    def rotate_client_secret(self, client_id: str, new_secret: str) -> None:
        self._call("POST", f"/clients/{quote(client_id, safe='')}/rotate", {"client_secret": new_secret})

    def revoke_tokens(self) -> None:
        self._call("POST", "/tokens/revoke")

    def expire_tokens(self) -> None:
        self._call("POST", "/tokens/expire")

    @property
    def issued_tokens(self) -> list[str]:
        return cast(list[str], self._call("GET", "/tokens")["issued_tokens"])

    def set_rate_limit(self, limit: int | None, window_seconds: float = RATE_LIMIT_WINDOW_SECONDS) -> None:
        self._call("PUT", "/rate-limit", {"limit": limit, "window_seconds": window_seconds})

    # --- conversations ---------------------------------------------------------------------------------

    def create_conversation(
        self, participants: Sequence[Mapping[str, Any]], conversation_id: str | None = None
    ) -> ConversationInfo:
        body: dict[str, Any] = {"participants": [_spec_json(p) for p in participants]}
        if conversation_id is not None:
            body["conversation_id"] = conversation_id
        return cast(ConversationInfo, self._call("POST", "/conversations", body))

    def get_conversation(self, conversation_id: str) -> ConversationInfo:
        return cast(ConversationInfo, self._call("GET", f"/conversations/{quote(conversation_id, safe='')}"))

    def participant_attributes(self, conversation_id: str, participant_id: str) -> dict[str, str]:
        return cast(
            dict[str, str],
            self._call("GET", _participant_path(conversation_id, participant_id) + "/attributes"),
        )

    def add_participant(self, conversation_id: str, participant: Mapping[str, Any]) -> ParticipantInfo:
        path = f"/conversations/{quote(conversation_id, safe='')}/participants"
        return cast(ParticipantInfo, self._call("POST", path, _spec_json(participant)))

    def end_participant(
        self, conversation_id: str, participant_id: str, end_time: datetime | str | None = None
    ) -> ParticipantInfo:
        body = {} if end_time is None else {"end_time": _iso(end_time)}
        path = _participant_path(conversation_id, participant_id) + "/end"
        return cast(ParticipantInfo, self._call("POST", path, body))

    # --- faults ----------------------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        self._call("POST", "/faults", asdict(fault))

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    @property
    def faults(self) -> list[Fault]:
        return [fault_from_json(f) for f in self._call("GET", "/faults")]

    # --- recorded requests -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return [RecordedRequest(**r) for r in self._call("GET", "/requests")]

    def count_requests(self, method: str | None = None, path_prefix: str | None = None) -> int:
        answer = self._call("GET", "/requests/count", query={"method": method, "path_prefix": path_prefix})
        return int(answer["count"])

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        self._call("POST", "/reset")


def _participant_path(conversation_id: str, participant_id: str) -> str:
    return f"/conversations/{quote(conversation_id, safe='')}/participants/{quote(participant_id, safe='')}"


def _iso(moment: datetime | str) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else moment


def _spec_json(participant: Mapping[str, Any]) -> dict[str, Any]:
    """A participant spec as JSON: its times (datetimes in-process) as ISO 8601 strings."""
    return {key: _iso(value) if isinstance(value, datetime) else value for key, value in participant.items()}


def _error_message(raw: bytes) -> str:
    try:
        return str(json.loads(raw)["error"])
    except (ValueError, KeyError, TypeError):
        return raw.decode("utf-8", errors="replace") or "(no body)"
