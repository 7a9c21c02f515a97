"""The one path every channel takes to Rasa, and the guarantee that it always answers.

Console, JSONL and Telegram all send a young person's turn through `RasaBridge.send`; when
Rasa errors, times out or returns nothing, the turn still gets the never-silent reply.
/delete and /privacy are answered here too, the same in every channel.
Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot.never_silent import fallback_for
from bot.store.privacy import PrivacyStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
        }


@dataclass
class TurnResult:
    replies: list[Reply]
    failed: bool = False
    reason: str | None = None


@dataclass
class FailureCounter:
    """Counts turns that fell back, by reason; metrics without content."""

    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str) -> None:
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def parse_rasa_messages(messages: list[dict[str, Any]]) -> list[Reply]:
    replies = []
    for message in messages:
        text = message.get("text") or ""
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in message.get("buttons") or []
        )
        if text or buttons:
            replies.append(Reply(text=text, buttons=buttons))
    return replies


# /privacy: only what the code does today; written simply enough for the youngest reader.
PRIVACY_REPLY = (
    "Here is what happens to what you write:\n"
    "- I don't save this chat. I only hold it while we talk, so I can follow along.\n"
    "- If you tell me your age or country, I keep just that.\n"
    "- A real person only reads your chat if you say yes.\n"
    "- Photos and files get deleted right away. I never open them.\n"
    "- Type /delete to wipe it all, or /exit to clear the screen."
)
ERASED_REPLY = (
    "Done. I erased what this chat had about you, your age group and country too. "
    "You can start again any time with /start."
)
NOT_ERASED_REPLY = "Sorry, I couldn't erase it just now. Please send /delete again in a minute."


class RasaBridge:
    def __init__(self, rasa_url: str, timeout: float = 5.0, auth_token: str | None = None,
                 store: PrivacyStore | None = None) -> None:
        self._rasa_url = rasa_url.rstrip("/")
        self._url = self._rasa_url + "/webhooks/rest/webhook"
        self._auth_token = auth_token
        self._store = store
        self._timeout = timeout
        self._client = httpx.AsyncClient(timeout=timeout)
        self.failures = FailureCounter()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        sender: str,
        *,
        text: str | None = None,
        payload: str | None = None,
        metadata: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> TurnResult:
        """One turn: typed `text`, or the `payload` of a button the young person tapped.

        Rasa reads a message starting with "/" as an intent, so typed text loses its leading
        slashes: what a young person types is always understood as words.
        """
        command = (payload if payload is not None else (text or "")).strip().lower()
        if command == "/delete":
            return await self._erase(sender)
        if command == "/privacy":
            return TurnResult(replies=[Reply(text=PRIVACY_REPLY)])
        message = payload if payload is not None else (text or "").lstrip("/")
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            replies = parse_rasa_messages(response.json())
        except httpx.TimeoutException:
            return self._fall_back("timeout", text, region)
        except httpx.HTTPStatusError as exc:
            return self._fall_back(f"http_{exc.response.status_code}", text, region)
        except (httpx.HTTPError, ValueError):
            return self._fall_back("unreachable", text, region)
        if not replies:
            return self._fall_back("empty", text, region)
        return TurnResult(replies=replies)

    def _token_param(self) -> dict[str, str]:
        return {"token": self._auth_token} if self._auth_token else {}

    async def region_of(self, sender: str) -> str | None:
        """The country the young person chose, as Rasa holds it; None if unknown or unreachable."""
        try:
            response = await self._client.get(
                f"{self._rasa_url}/conversations/{sender}/tracker",
                params={"include_events": "NONE", **self._token_param()},
            )
            response.raise_for_status()
            return (response.json().get("slots") or {}).get("country")
        except (httpx.HTTPError, ValueError):
            return None

    async def _erase(self, sender: str) -> TurnResult:
        """/delete: the promise made at /start. Every database row about `sender` goes, and
        Rasa's tracker is replaced by a single restart event, so no message, slot or choice
        of theirs is left in either."""
        try:
            if self._store is not None:
                await asyncio.to_thread(self._store.erase, sender)
            response = await self._client.put(
                f"{self._rasa_url}/conversations/{sender}/tracker/events",
                params=self._token_param(),
                json=[{"event": "restart"}],
            )
            response.raise_for_status()
        except (httpx.HTTPError, SQLAlchemyError):
            self.failures.add("erase")
            return TurnResult(replies=[Reply(text=NOT_ERASED_REPLY)], failed=True, reason="erase")
        return TurnResult(replies=[Reply(text=ERASED_REPLY)])

    def _fall_back(self, reason: str, text: str | None, region: str | None) -> TurnResult:
        self.failures.add(reason)
        log.warning("rasa turn failed; sent never-silent reply", extra={"reason": reason})
        return TurnResult(replies=[Reply(text=fallback_for(text, region))], failed=True, reason=reason)
