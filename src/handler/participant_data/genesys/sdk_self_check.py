"""A rehearsal of what requests ask of the Genesys SDK, run once by the lean loader, with no network.

Why: the lean loader (sdk_loader) takes its path after a check of the package's layout, but a future SDK
could pass that check and still differ where requests go: a model the lazy `models` package cannot
resolve, a renamed field, a changed ApiClient. Found here, during init, the loader falls back to the plain
import; found by the first request, that caller gets 500 internal_error.

How: the SDK's own code runs as the gateway drives it: an ApiClient with the service's kind of HTTP
client (`set_http_client`), `ConversationsApi.patch_conversation_participant_attributes` with a
`ParticipantAttributes` body, and `ConversationsApi.get_conversation`, whose answer the ApiClient
deserialises into `Conversation`. The HTTP client answers in memory as Genesys does: the PATCH with 202
and no body (docs/genesys-facts.md#participant-attributes-patch), the GET with a `Conversation` whose
`participants` carry `id`, `purpose`, `attributes`, their times and one list of communications per media
type, each with `state` and times (docs/genesys-facts.md#get-conversation). What comes out is compared
with what went in: the request the SDK built, and every field the service reads from the answer.
"""

from __future__ import annotations

import importlib
import json
import types
from datetime import UTC, datetime
from typing import Any

import urllib3

# Never contacted: the in-memory HTTP client answers every request.
_HOST = "https://api.sdk-self-check.invalid"
_FAKE_BEARER = "sdk-self-check"  # not a credential: nothing is sent anywhere
_CONVERSATION = "5e1f0000-0000-4000-8000-00000000c0c0"
_LEFT, _STILL_ON = "5e1f0000-0000-4000-8000-0000000000a1", "5e1f0000-0000-4000-8000-0000000000a2"
_ATTRIBUTES = {"ivr_choice": "billing", "key with spaces.and dots": "é"}
# The participants' communication lists, one per media type (the customer rule reads all of them): the
# JSON key Genesys sends and the attribute the SDK's Participant model exposes it as.
MEDIA_LISTS = {
    "calls": "calls",
    "callbacks": "callbacks",
    "chats": "chats",
    "cobrowsesessions": "cobrowsesessions",
    "emails": "emails",
    "messages": "messages",
    "screenshares": "screenshares",
    "socialExpressions": "social_expressions",
    "videos": "videos",
}


class SdkSelfCheckFailed(Exception):
    """The SDK did not do what requests will ask of it."""


def run(package: types.ModuleType) -> None:
    """Raise SdkSelfCheckFailed, naming the step, unless the SDK builds the PATCH and reads a Conversation
    as the gateway needs. `package` is the loaded `PureCloudPlatformClientV2` (lean or plain)."""
    step = "building the HTTP client"
    try:
        http = _in_memory_http_client(package)
        step = "constructing ApiClient and ConversationsApi"
        client = package.ApiClient(host=_HOST)
        client.set_http_client(http)
        client.access_token = _FAKE_BEARER
        conversations = package.ConversationsApi(client)
        step = "sending the attributes PATCH"
        _check_patch(package, conversations, http)
        step = "deserialising a Conversation"
        _check_conversation(conversations, http)
    except SdkSelfCheckFailed:
        raise
    except Exception as error:
        raise SdkSelfCheckFailed(f"{step}: {type(error).__name__}: {error}") from error


def _check_patch(package: types.ModuleType, conversations: Any, http: Any) -> None:
    body = package.ParticipantAttributes()
    body.attributes = dict(_ATTRIBUTES)
    http.answers.append((202, ""))
    conversations.patch_conversation_participant_attributes(_CONVERSATION, _LEFT, body)
    (request,) = http.requests
    sent = {
        "method": request.method,
        "url": request.url,
        "authorization": (request.headers or {}).get("Authorization"),
        "body": json.loads(json.dumps(request.body)),  # as the service's transport encodes it
    }
    _expect("the PATCH request", sent, {
        "method": "PATCH",
        "url": f"{_HOST}/api/v2/conversations/{_CONVERSATION}/participants/{_LEFT}/attributes",
        "authorization": f"Bearer {_FAKE_BEARER}",
        "body": {"attributes": _ATTRIBUTES},
    })  # fmt: skip


def _check_conversation(conversations: Any, http: Any) -> None:
    http.requests.clear()
    http.answers.append((200, json.dumps(_conversation_answer())))
    conversation = conversations.get_conversation(_CONVERSATION)
    (request,) = http.requests
    url = f"{_HOST}/api/v2/conversations/{_CONVERSATION}"
    _expect("the GET request", (request.method, request.url), ("GET", url))
    _expect("Conversation.id", conversation.id, _CONVERSATION)
    left, still_on = conversation.participants
    _expect("the participant who left", _participant_fields(left), {
        "id": _LEFT, "purpose": "customer", "attributes": _ATTRIBUTES,
        "start_time": _moment(0), "connected_time": _moment(1), "end_time": _moment(5),
        "communications": {name: [("disconnected", _moment(1), _moment(5))] for name in MEDIA_LISTS.values()},
    })  # fmt: skip
    _expect("the participant still on", _participant_fields(still_on), {
        "id": _STILL_ON, "purpose": "customer", "attributes": {},
        "start_time": _moment(6), "connected_time": _moment(7), "end_time": None,
        "communications": {name: [("connected", _moment(7), None)] for name in MEDIA_LISTS.values()},
    })  # fmt: skip


def _participant_fields(participant: Any) -> dict[str, Any]:
    """What the service reads of a participant, as the SDK deserialised it."""
    return {
        "id": participant.id,
        "purpose": participant.purpose,
        "attributes": participant.attributes or {},
        "start_time": participant.start_time,
        "connected_time": participant.connected_time,
        "end_time": participant.end_time,
        "communications": {
            name: [(c.state, c.connected_time, c.disconnected_time) for c in getattr(participant, name) or []]
            for name in MEDIA_LISTS.values()
        },
    }


def _conversation_answer() -> dict[str, Any]:
    """A `GET /api/v2/conversations/{id}` answer: a customer who left (a transfer), one still on."""

    def participant(pid: str, first: int, ended: int | None, state: str, attributes: dict[str, str]) -> Any:
        times = {"startTime": _text(first), "connectedTime": _text(first + 1)}
        communication = {"id": pid, "state": state, "connectedTime": _text(first + 1)}
        if ended is not None:
            times["endTime"] = communication["disconnectedTime"] = _text(ended)
        lists = {key: [communication] for key in MEDIA_LISTS}
        return {"id": pid, "purpose": "customer", "attributes": attributes, **times, **lists}

    return {
        "id": _CONVERSATION,
        "startTime": _text(0),
        "participants": [
            participant(_LEFT, 0, 5, "disconnected", _ATTRIBUTES),
            participant(_STILL_ON, 6, None, "connected", {}),
        ],
    }


def _moment(minute: int) -> datetime:
    return datetime(2026, 1, 1, 10, minute, tzinfo=UTC)


def _text(minute: int) -> str:
    """A time as Genesys writes it (ISO 8601, milliseconds, `Z`)."""
    return _moment(minute).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _expect(what: str, found: Any, expected: Any) -> None:
    if found != expected:
        raise SdkSelfCheckFailed(f"{what}: expected {expected!r}, got {found!r}")


def _in_memory_http_client(package: types.ModuleType) -> Any:
    """An instance of the SDK's AbstractHttpClient that records requests and answers from `answers`."""
    abstract = importlib.import_module(f"{package.__name__}.abstract_http_client").AbstractHttpClient
    rest_response = importlib.import_module(f"{package.__name__}.rest").RESTResponse

    class InMemoryHttpClient(abstract):  # type: ignore[misc, valid-type]  # the SDK ships no type hints
        def __init__(self) -> None:
            super().__init__()
            self.requests: list[Any] = []
            self.answers: list[tuple[int, str]] = []

        def request(self, http_request_options: Any) -> Any:
            self.requests.append(http_request_options)
            status, body = self.answers.pop(0)
            raw = urllib3.HTTPResponse(
                body=body.encode(), headers={"Content-Type": "application/json"}, status=status
            )
            response = rest_response(raw)
            response.data = body  # text, as the service's transport hands it to the SDK
            return response

    return InMemoryHttpClient()
