"""Remembers which participant is a conversation's customer, so a warm `customer` call makes one request."""

from __future__ import annotations

from collections import OrderedDict


class CustomerParticipantCache:
    """A small LRU map of conversation id to customer participant id, per warm container."""

    def __init__(self, max_conversations: int) -> None:
        self._max = max_conversations
        self._entries: OrderedDict[str, str] = OrderedDict()

    def get(self, conversation_id: str) -> str | None:
        participant_id = self._entries.get(conversation_id)
        if participant_id is not None:
            self._entries.move_to_end(conversation_id)
        return participant_id

    def remember(self, conversation_id: str, participant_id: str) -> None:
        self._entries[conversation_id] = participant_id
        self._entries.move_to_end(conversation_id)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        self._entries.pop(conversation_id, None)
