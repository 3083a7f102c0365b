"""Remembers which participant is a conversation's customer, so a warm `customer` call makes one request."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple


class _Resolution(NamedTuple):
    participant_id: str
    expires_at: float  # on the cache's clock


class CustomerParticipantCache:
    """A small LRU map of conversation id to customer participant id, per warm container.

    A resolution is forgotten `ttl_seconds` after it was made (CUSTOMER_CACHE_TTL_SECONDS in the
    service): a transfer or a callback can add a new customer participant mid-call, and the one that left
    may still accept writes, so a 404 alone would not tell. Without a TTL (the default, for callers that
    resolve once) only the LRU bound and `forget` drop an entry. `clock` is monotonic seconds.
    """

    def __init__(
        self,
        max_conversations: int,
        ttl_seconds: float = math.inf,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_conversations
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Resolution] = OrderedDict()

    def get(self, conversation_id: str) -> str | None:
        """The remembered customer participant id, unless there is none or it has expired."""
        resolution = self._entries.get(conversation_id)
        if resolution is None:
            return None
        if self._clock() >= resolution.expires_at:
            del self._entries[conversation_id]
            return None
        self._entries.move_to_end(conversation_id)
        return resolution.participant_id

    def remember(self, conversation_id: str, participant_id: str) -> None:
        self._entries[conversation_id] = _Resolution(participant_id, self._clock() + self._ttl)
        self._entries.move_to_end(conversation_id)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        self._entries.pop(conversation_id, None)
