"""The one path every channel takes to Rasa, and the guarantee that it always answers.

Console, JSONL and Telegram all send a young person's turn through `RasaBridge.send`; when
Rasa errors, times out or returns nothing, the turn still gets the never-silent reply.
/privacy, the consent buttons, /mydata and /delete are answered here too, the same in every
channel; with a yes to keeping messages, typed text is kept (encrypted, expiring) on the way.
Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot import privacy_replies
from bot.categories import category_of
from bot.messages import Button, Reply
from bot.never_silent import fallback_for
from bot.store.privacy import PrivacyStore

log = logging.getLogger(__name__)


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


class RasaBridge:
    def __init__(self, rasa_url: str, timeout: float = 5.0, auth_token: str | None = None,
                 store: PrivacyStore | None = None) -> None:
        self._rasa_url = rasa_url.rstrip("/")
        self._url = self._rasa_url + "/webhooks/rest/webhook"
        self._auth_token = auth_token
        self._store = store
        # Pseudonymous id -> when they last wrote (monotonic); in memory only, for forget_idle.
        self._last_seen: dict[str, float] = {}
        # Privacy commands, the same in every channel, answered here (with Rasa down too).
        self._commands = {
            "/privacy": self._privacy,
            "/mydata": self._mydata,
            "/delete": self._erase,
            privacy_replies.CONSENT_YES: lambda sender: self._consent(sender, granted=True),
            privacy_replies.CONSENT_NO: lambda sender: self._consent(sender, granted=False),
        }
        self._tasks: set[asyncio.Task] = set()
        self._client = httpx.AsyncClient(timeout=timeout)
        self.failures = FailureCounter()

    async def aclose(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
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
        if command in self._commands:
            return await self._commands[command](sender)
        if text and self._store is not None:
            await self._keep_if_agreed(sender, text)
        self._last_seen[sender] = time.monotonic()
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
        if self._store is not None:
            self._background(self._count_category(sender))
        return TurnResult(replies=replies)

    def _background(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _count_category(self, sender: str) -> None:
        """Metrics without content: the turn's category, read back from Rasa after the reply
        went out, so counting never delays a young person."""
        try:
            state = await self._tracker_state(sender)
            intent = ((state.get("latest_message") or {}).get("intent") or {}).get("name")
            await asyncio.to_thread(self._store.count, "category", category_of(intent))
        except (httpx.HTTPError, ValueError, SQLAlchemyError):
            pass

    def _token_param(self) -> dict[str, str]:
        return {"token": self._auth_token} if self._auth_token else {}

    async def _tracker_state(self, sender: str) -> dict[str, Any]:
        """Rasa's current state for `sender` (slots, latest message), without its events."""
        response = await self._client.get(f"{self._rasa_url}/conversations/{sender}/tracker",
                                          params={"include_events": "NONE", **self._token_param()})
        response.raise_for_status()
        return response.json()

    async def region_of(self, sender: str) -> str | None:
        """The country the young person chose, as Rasa holds it; None if unknown or unreachable."""
        try:
            return ((await self._tracker_state(sender)).get("slots") or {}).get("country")
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
            return TurnResult(replies=[privacy_replies.NOT_ERASED], failed=True, reason="erase")
        return TurnResult(replies=[privacy_replies.ERASED])

    async def forget_idle(self, idle_seconds: float) -> int:
        """Rasa keeps conversations in memory with no expiry of its own: after `idle_seconds`
        without a message, everything but the chosen age band and country is dropped from
        the tracker (its events replaced). Returns how many conversations were forgotten."""
        cutoff = time.monotonic() - idle_seconds
        forgotten = 0
        for sender in [s for s, seen in self._last_seen.items() if seen <= cutoff]:
            try:
                slots = (await self._tracker_state(sender)).get("slots") or {}
                kept = [{"event": "slot", "name": name, "value": slots[name]}
                        for name in ("country", "age_band") if slots.get(name)]
                # A fresh start that remembers the choices, then waiting for their next message.
                events = [{"event": "restart"}, *kept, {"event": "action", "name": "action_listen"}]
                replaced = await self._client.put(f"{self._rasa_url}/conversations/{sender}/tracker/events",
                                                  params=self._token_param(), json=events)
                replaced.raise_for_status()
            except (httpx.HTTPError, ValueError):
                continue  # Rasa is down: try again next round (a restart empties memory anyway)
            del self._last_seen[sender]
            forgotten += 1
        return forgotten

    async def _privacy(self, sender: str) -> TurnResult:
        replies = [privacy_replies.PRIVACY]
        if self._store is not None:
            replies.append(privacy_replies.CONSENT_QUESTION)
        return TurnResult(replies=replies)

    async def _consent(self, sender: str, *, granted: bool) -> TurnResult:
        def record(store: PrivacyStore) -> Reply:
            store.record_consent(sender, "improve_bot", granted)
            return privacy_replies.CONSENT_YES_REPLY if granted else privacy_replies.CONSENT_NO_REPLY

        return await self._with_store(record)

    async def _mydata(self, sender: str) -> TurnResult:
        return await self._with_store(lambda store: privacy_replies.mydata(store.describe(sender)))

    async def _with_store(self, answer: Callable[[PrivacyStore], Reply]) -> TurnResult:
        """A privacy command's answer from the database, or a kind "can't reach it" reply."""
        if self._store is None:
            return TurnResult(replies=[privacy_replies.NO_STORE], failed=True, reason="store")
        try:
            reply = await asyncio.to_thread(answer, self._store)
        except SQLAlchemyError:
            self.failures.add("store")
            return TurnResult(replies=[privacy_replies.NO_STORE], failed=True, reason="store")
        return TurnResult(replies=[reply])

    async def _keep_if_agreed(self, sender: str, text: str) -> None:
        """Consent (b): kept encrypted only after a yes. A failing database must not cost the
        young person their answer, so it is counted and the turn goes on."""
        try:
            await asyncio.to_thread(self._store.keep, sender, "improve_bot", text)
        except SQLAlchemyError:
            self.failures.add("store")

    def _fall_back(self, reason: str, text: str | None, region: str | None) -> TurnResult:
        self.failures.add(reason)
        if self._store is not None:
            with contextlib.suppress(SQLAlchemyError):  # the reply matters more than the count
                self._store.count("failure", reason)
        log.warning("rasa turn failed; sent never-silent reply", extra={"reason": reason})
        return TurnResult(replies=[Reply(text=fallback_for(text, region))], failed=True, reason=reason)
