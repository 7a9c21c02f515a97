"""The one path every channel takes to Rasa, and the guarantee that it always answers.

Console, JSONL and Telegram all send a young person's turn through `RasaBridge.send`; when
Rasa errors, times out or returns nothing, the turn still gets the never-silent reply, with
the lines of the country and the wording of the age band the young person chose (remembered
here, so a failing Rasa does not make them a US user).
/privacy, the consent buttons, /mydata and /delete are answered here too, the same in every
channel; with a yes to keeping messages, typed text is kept (encrypted, expiring) on the way.
Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot import privacy_replies
from bot.categories import category_of, intents, risk_order
from bot.messages import Button, Reply
from bot.never_silent import fallback_for
from bot.store.privacy import PrivacyStore

log = logging.getLogger(__name__)
# Leading spaces, line breaks and slashes of typed text: Rasa would read "/word" as an intent.
_AS_WORDS = re.compile(r"^[\s/]+")


@dataclass
class TurnResult:
    replies: list[Reply]
    failed: bool = False
    reason: str | None = None
    # The young person asked for a person (action_human_help said so); a channel with
    # counsellors turns this into a handoff, any other keeps Rasa's "not here" reply.
    handoff: bool = False


@dataclass(frozen=True)
class HandoffContext:
    """What a handoff card needs from Rasa's memory of the conversation."""

    category: str
    reason: str
    age_band: str | None
    country: str | None
    texts: list[str]  # what they typed to the bot, oldest first; read only after a yes to (a)


@dataclass(frozen=True)
class Profile:
    """What a young person chose to tell: it picks their lines and wording when Rasa fails."""

    country: str | None = None
    age_band: str | None = None


@dataclass
class FailureCounter:
    """Counts turns that fell back, by reason; metrics without content."""

    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str) -> None:
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def asks_for_handoff(messages: list[dict[str, Any]]) -> bool:
    return any((m.get("custom") or {}).get("handoff") == "requested" for m in messages)


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


def _why(parsed: dict[str, Any]) -> str:
    """Which safety signal, or which intent and how sure, put a message in its category."""
    signal = parsed.get("safety_signal")
    if signal:
        return (f"safety signal {signal['id']} (the model alone said {signal.get('model_intent')} "
                f"{signal.get('model_confidence') or 0:.2f})")
    intent = parsed.get("intent") or {}
    return f"intent {intent.get('name')} ({intent.get('confidence') or 0:.2f})"


KEPT_SLOTS = ("country", "age_band")  # what a young person chose, kept when Rasa's memory is reset


class RasaBridge:
    def __init__(self, rasa_url: str, timeout: float = 5.0, auth_token: str | None = None,
                 store: PrivacyStore | None = None) -> None:
        self._rasa_url = rasa_url.rstrip("/")
        self._url = self._rasa_url + "/webhooks/rest/webhook"
        self._auth_token = auth_token
        self._store = store
        # Pseudonymous id -> when they last wrote (monotonic); in memory only, for forget_idle.
        self._last_seen: dict[str, float] = {}
        # Pseudonymous id -> the country and age band they chose, as Rasa held them after their
        # last answered turn; in memory only, for the never-silent reply when Rasa can't be asked.
        self._profiles: dict[str, Profile] = {}
        # Privacy commands, the same in every channel, answered here (with Rasa down too).
        self._commands = {
            "/privacy": self._privacy,
            "/mydata": self._mydata,
            "/delete": self._erase,
            privacy_replies.CONSENT_YES: lambda sender: self._consent(sender, granted=True),
            privacy_replies.CONSENT_NO: lambda sender: self._consent(sender, granted=False),
        }
        self._tasks: set[asyncio.Task] = set()
        # Keeping a message, a consent change and /delete reach the database in the order they
        # were asked (a message kept after a later "no" would break the promise); none of them
        # holds up a reply. A "no" the database could not take yet is honoured from memory.
        self._store_writes = asyncio.Lock()
        self._refused: set[str] = set()
        # Model swaps: turns wait while `_open` is clear; `_idle` is set when none is in flight.
        self._open, self._idle, self._swapping = asyncio.Event(), asyncio.Event(), asyncio.Lock()
        self._open.set()
        self._idle.set()
        self._in_flight = 0
        self._client = httpx.AsyncClient(timeout=timeout)
        self.failures = FailureCounter()

    async def settled(self) -> None:
        """Waits for the work each turn left running after its reply (read-backs, counts)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        await self.settled()
        await self._client.aclose()

    async def send(
        self,
        sender: str,
        *,
        text: str | None = None,
        payload: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> TurnResult:
        """One turn: typed `text`, or the `payload` of a button the young person tapped.

        Rasa reads a message starting with "/" as an intent (after spaces or line breaks too:
        " /restart" wiped a conversation), so typed text loses its leading spaces and slashes:
        what a young person types is always understood as words.
        """
        started = time.monotonic()
        result = await self._turn(sender, text, payload, metadata)
        log.info("turn", extra={"subject": sender[:12], "ms": round((time.monotonic() - started) * 1000, 1),
                                "failed": result.failed, "reason": result.reason, "handoff": result.handoff})
        return result

    async def _turn(self, sender: str, text: str | None, payload: str | None,
                    metadata: dict[str, Any] | None) -> TurnResult:
        command = (payload if payload is not None else (text or "")).strip().lower()
        if command in self._commands:
            return await self._commands[command](sender)
        if text and self._store is not None:
            self.background(self._keep_if_agreed(sender, text))  # a slow database never delays a reply
        return await self._ask_rasa(sender, text, payload, metadata)

    async def _ask_rasa(self, sender: str, text: str | None, payload: str | None,
                        metadata: dict[str, Any] | None) -> TurnResult:
        """The turn at Rasa; whatever fails there becomes the never-silent reply."""
        self._last_seen[sender] = time.monotonic()
        message = payload if payload is not None else _AS_WORDS.sub("", text or "")
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        await self._open.wait()  # closed only while a new model is swapped in
        self._in_flight += 1
        self._idle.clear()
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            messages = response.json()
            replies = parse_rasa_messages(messages)
        except httpx.TimeoutException:
            return await self._fall_back("timeout", text, sender)
        except httpx.HTTPStatusError as exc:
            return await self._fall_back(f"http_{exc.response.status_code}", text, sender)
        except (httpx.HTTPError, ValueError):
            return await self._fall_back("unreachable", text, sender)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()
        if not replies:
            return await self._fall_back("empty", text, sender)
        self.background(self._after_turn(sender, answered_at=time.time()))
        return TurnResult(replies=replies, handoff=asks_for_handoff(messages))

    def background(self, coroutine) -> None:
        """Runs `coroutine` after the reply, keeping it until `aclose` waits for it."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_turn(self, sender: str, answered_at: float) -> None:
        """Read back from Rasa after the reply went out, so it never delays a young person:
        the country they chose (for the never-silent reply) and, with a database, the turn's
        category (metrics without content). Rasa's state as it was when this turn was answered
        (`until`): their next message may already be in."""
        try:
            state = await self._tracker_state(sender, until=answered_at)
        except (httpx.HTTPError, ValueError):
            return
        self._remember(sender, state.get("slots") or {})
        if self._store is not None:
            intent = ((state.get("latest_message") or {}).get("intent") or {}).get("name")
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(self._store.count, "category", category_of(intent))

    def _remember(self, sender: str, slots: dict[str, Any]) -> Profile:
        profile = Profile(slots.get("country"), slots.get("age_band"))
        if profile == Profile():
            self._profiles.pop(sender, None)
        else:
            self._profiles[sender] = profile
        return profile

    def _token_param(self) -> dict[str, str]:
        return {"token": self._auth_token} if self._auth_token else {}

    async def _tracker_state(self, sender: str, until: float | None = None) -> dict[str, Any]:
        """Rasa's state for `sender` (slots, latest message), now or as it was at `until`, without its events."""
        moment = {"until": until} if until is not None else {}
        response = await self._client.get(f"{self._rasa_url}/conversations/{sender}/tracker",
                                          params={"include_events": "NONE", **moment, **self._token_param()})
        response.raise_for_status()
        return response.json()

    async def handoff_context(self, sender: str, history: int = 20) -> HandoffContext:
        """The most urgent category this conversation showed, and why (the safety signal or
        the intent that fired); slots; the last `history` typed messages. Rasa unreachable:
        "unknown", so the ticket still opens."""
        try:
            response = await self._client.get(f"{self._rasa_url}/conversations/{sender}/tracker",
                                              params={"include_events": "AFTER_RESTART", **self._token_param()})
            response.raise_for_status()
            state = response.json()
        except (httpx.HTTPError, ValueError):
            return HandoffContext("human", "asked for a person (the bot's memory was unreachable)", None, None, [])
        said = [e for e in state.get("events") or [] if e.get("event") == "user"]
        texts = [e["text"] for e in said if e.get("text") and not e["text"].startswith("/")][-history:]
        # The most urgent topic they raised; asking for a person (or small talk) is not a topic.
        category, reason = "human", "asked for a person"
        for event in said:
            parsed = event.get("parse_data") or {}
            intent = (parsed.get("intent") or {}).get("name")
            found = category_of(intent) if intent in intents() else "other"
            if found not in ("human", "other") and (category == "human" or risk_order(found) < risk_order(category)):
                category, reason = found, _why(parsed)
        slots = state.get("slots") or {}
        return HandoffContext(category, reason, slots.get("age_band"), slots.get("country"), texts)

    async def pause(self, sender: str) -> None:
        """A counsellor owns the chat: Rasa says nothing for `sender` (ConversationPaused)."""
        await self._append_events(sender, [{"event": "pause"}])

    async def resume(self, sender: str) -> None:
        """The handoff ended: Rasa listens to `sender` again."""
        await self._append_events(sender, [{"event": "resume"}, {"event": "action", "name": "action_listen"}])

    async def _append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        # The relay never sends a paused young person's words to Rasa anyway, so Rasa being
        # down here costs nothing; it is logged, not raised.
        try:
            response = await self._client.post(f"{self._rasa_url}/conversations/{sender}/tracker/events",
                                               params=self._token_param(), json=events)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not update rasa tracker", extra={"error": exc.__class__.__name__})

    async def profile_of(self, sender: str, *, ask_rasa: bool = True) -> Profile:
        """The country and age band the young person chose: as last seen here, else as Rasa
        holds them; empty if unknown (or unknown here and Rasa unreachable, or not to be asked)."""
        if sender in self._profiles or not ask_rasa:
            return self._profiles.get(sender, Profile())
        try:
            slots = (await self._tracker_state(sender)).get("slots") or {}
        except (httpx.HTTPError, ValueError):
            return Profile()
        return self._remember(sender, slots)

    async def _erase(self, sender: str) -> TurnResult:
        """/delete: the promise made at /start. Every database row about `sender` goes, and
        Rasa's tracker is replaced by a single restart event, so no message, slot or choice
        of theirs is left in either, nor in this bridge's memory."""
        self._profiles.pop(sender, None)
        try:
            if self._store is not None:
                async with self._store_writes:  # after any message still being kept
                    await asyncio.to_thread(self._store.erase, sender)
                    self._refused.discard(sender)  # no yes is left either
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
                await self._start_over(sender, await self._choices(sender))
            except (httpx.HTTPError, ValueError):
                continue  # Rasa is down: try again next round (a restart empties memory anyway)
            del self._last_seen[sender]
            forgotten += 1
        return forgotten

    async def _choices(self, sender: str) -> list[dict[str, Any]]:
        """The age band and country `sender` chose, as slot events."""
        slots = (await self._tracker_state(sender)).get("slots") or {}
        return [{"event": "slot", "name": name, "value": slots[name]} for name in KEPT_SLOTS if slots.get(name)]

    async def _start_over(self, sender: str, choices: list[dict[str, Any]]) -> None:
        """A fresh start that remembers the choices, then waiting for their next message."""
        events = [{"event": "restart"}, *choices, {"event": "action", "name": "action_listen"}]
        replaced = await self._client.put(f"{self._rasa_url}/conversations/{sender}/tracker/events",
                                          params=self._token_param(), json=events)
        replaced.raise_for_status()

    async def swap_model(self, model_file: Path) -> None:
        """Rasa switches to `model_file` and no message is lost: new turns wait at the door,
        turns in flight finish, Rasa loads the model (PUT /model), and each conversation's
        age band and country are carried over to the new model's memory. Raises
        httpx.HTTPError if Rasa refuses the model; it then keeps the one it had."""
        async with self._swapping:
            self._open.clear()
            try:
                while self._in_flight:
                    await self._idle.wait()
                carried = {}
                for sender in list(self._last_seen):
                    with contextlib.suppress(httpx.HTTPError, ValueError):
                        carried[sender] = await self._choices(sender)
                response = await self._client.put(f"{self._rasa_url}/model", params=self._token_param(),
                                                  json={"model_file": str(model_file)}, timeout=600)
                response.raise_for_status()
                for sender, choices in carried.items():
                    with contextlib.suppress(httpx.HTTPError):
                        await self._start_over(sender, choices)
            finally:
                self._open.set()

    async def _privacy(self, sender: str) -> TurnResult:
        replies = [privacy_replies.PRIVACY]
        if self._store is not None:
            replies.append(privacy_replies.CONSENT_QUESTION)
        return TurnResult(replies=replies)

    async def _consent(self, sender: str, *, granted: bool) -> TurnResult:
        """A yes is only ever reported once stored. A no is honoured at once, stored or not:
        if the database cannot take it now, nothing is kept meanwhile, the next turn stores it,
        and the young person is told exactly that."""
        def record(store: PrivacyStore) -> Reply:
            store.record_consent(sender, "improve_bot", granted)
            return privacy_replies.CONSENT_YES_REPLY if granted else privacy_replies.CONSENT_NO_REPLY

        async with self._store_writes:
            if not granted:
                self._refused.add(sender)
            result = await self._with_store(record)
            if not result.failed:
                self._refused.discard(sender)
        if result.failed and not granted:
            return TurnResult(replies=[privacy_replies.NO_NOT_SAVED_YET], failed=True, reason="store")
        return result

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
        """Consent (b): kept encrypted only after a yes, after the reply. A "no" still waiting
        to be stored is stored instead, and nothing is kept. A failing database must not cost
        the young person their answer, so it is counted and the turn goes on."""
        async with self._store_writes:
            try:
                if sender in self._refused:
                    await asyncio.to_thread(self._store.record_consent, sender, "improve_bot", False)
                    self._refused.discard(sender)
                    return
                await asyncio.to_thread(self._store.keep, sender, "improve_bot", text)
            except SQLAlchemyError:
                self.failures.add("store")

    async def _fall_back(self, reason: str, text: str | None, sender: str) -> TurnResult:
        """The never-silent reply for their country. A Rasa that timed out is not asked again
        (that would double the wait); one that answered with an error or nothing still can be."""
        self.failures.add(reason)
        if self._store is not None:  # counted after the reply, in a thread: the reply comes first
            self.background(self._count_failure(reason))
        profile = await self.profile_of(sender, ask_rasa=reason != "timeout")
        return TurnResult(replies=[Reply(text=fallback_for(text, profile.country, profile.age_band))],
                          failed=True, reason=reason)

    async def _count_failure(self, reason: str) -> None:
        with contextlib.suppress(SQLAlchemyError):
            await asyncio.to_thread(self._store.count, "failure", reason)
