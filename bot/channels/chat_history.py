"""Which messages of a private chat the bot could still delete, for /exit.

Telegram lets a bot delete messages in a private chat for 48 hours. Quick exit needs the
ids of those messages, the young person's and the bot's; only ids and times are kept, never
text, only in memory, and only for as long as they can still be deleted.
"""

from __future__ import annotations

import time
from collections import deque

DELETABLE_FOR = 48 * 3600  # seconds: Telegram's limit for a bot in a private chat


class ChatHistory:
    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._ids: dict[int, deque[tuple[int, float]]] = {}

    def add(self, chat_id: int, message_id: int) -> None:
        ids = self._ids.setdefault(chat_id, deque())
        ids.append((message_id, self._clock()))
        self._prune(chat_id)

    def take(self, chat_id: int) -> list[int]:
        """Every id still deletable in this chat, forgetting them all."""
        self._prune(chat_id)
        return [message_id for message_id, _ in self._ids.pop(chat_id, ())]

    def _prune(self, chat_id: int) -> None:
        ids = self._ids.get(chat_id)
        oldest_allowed = self._clock() - DELETABLE_FOR
        while ids and ids[0][1] < oldest_allowed:
            ids.popleft()
        if ids is not None and not ids:
            del self._ids[chat_id]
