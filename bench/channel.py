"""The Telegram channel under load: fake Telegram -> bot -> Rasa -> actions -> fake Telegram.

Simulated young people each send a conversation one message at a time (reading for a moment
between turns, as people do), at 1, 10 and 50 at once. Measured: latency from an update to its
first reply, side by side with the raw Rasa REST channel on the same model in the same run;
replies lost or duplicated at 50 people x 40 messages (expected counts come from the raw run
of the same conversations); and the crisis reply's latency with Rasa stopped (the lexicon in
the bridge answers). Targets (Telegram issue): p95 ours/raw <= 1.15 at 10; 0 lost and 0
duplicated at 50 x 40; crisis p95 with Rasa down <= 20 ms. Never asserted in unit tests.

    make bench            # or: .venv/bin/python -m bench.channel [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from bench.nlu import percentile
from bot import stack
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.config import PROJECT_ROOT, Settings
from bot.conversation import RasaBridge
from bot.handoff.desk import HandoffDesk
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore
from tests.support.fake_telegram import FakeTelegram
from tests.support.net import free_port

# One young person's conversation; people start at different points so turns mix.
CONVERSATION = [
    "hi",
    "someone online keeps asking me for pics",
    "what now",
    "thanks",
    "this guy says he'll post my pics unless i pay",
    "i already paid him",
    "what can you help with",
    "i dont want to be alive anymore",
    "ok",
    "bye",
]
THINK = 0.5  # seconds a person reads before their next message
TURN_TIMEOUT = 20.0


def conversation(person: int, turns: int) -> list[str]:
    start = person % len(CONVERSATION)
    return list(itertools.islice(itertools.cycle(CONVERSATION), start, start + turns))


@dataclasses.dataclass
class Run:
    first_reply_ms: list[float] = dataclasses.field(default_factory=list)
    replies_per_turn: dict[tuple[int, int], int] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        values = self.first_reply_ms
        return {
            "turns": len(values),
            "throughput_per_s": round(len(values) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
        }


async def raw_rest(settings: Settings, people: int, turns: int, tag: str) -> Run:
    """The baseline: each person posts straight to Rasa's REST channel."""
    run = Run()
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=TURN_TIMEOUT) as client:

        async def person(p: int) -> None:
            for t, text in enumerate(conversation(p, turns)):
                started = time.perf_counter()
                response = await client.post("/webhooks/rest/webhook", json={"sender": f"{tag}-{p}", "message": text})
                run.first_reply_ms.append((time.perf_counter() - started) * 1000)
                run.replies_per_turn[(p, t)] = len(response.json())
                await asyncio.sleep(THINK)

        started = time.perf_counter()
        await asyncio.gather(*(person(p) for p in range(people)))
        run.seconds = time.perf_counter() - started
    return run


class Replies:
    """Each chat's sendMessage times, delivered from the fake's HTTP thread to asyncio."""

    def __init__(self, fake: FakeTelegram, loop: asyncio.AbstractEventLoop) -> None:
        self._times: dict[int, list[float]] = {}
        self._changed = asyncio.Condition()
        self._loop = loop
        fake.on_call = self._on_call

    def _on_call(self, method: str, params: dict, at: float) -> None:
        if method == "sendMessage":
            self._loop.call_soon_threadsafe(self._record, int(params["chat_id"]), at)

    def _record(self, chat: int, at: float) -> None:
        self._times.setdefault(chat, []).append(at)
        asyncio.ensure_future(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def count(self, chat: int) -> int:
        return len(self._times.get(chat, []))

    def time_of(self, chat: int, index: int) -> float:
        return self._times[chat][index]

    async def wait_until(self, chat: int, count: int, timeout: float) -> bool:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.count(chat) >= count), timeout)
                return True
            except TimeoutError:
                return False


@contextlib.asynccontextmanager
async def bot_on_fake_telegram(rasa_url: str) -> AsyncIterator[tuple[FakeTelegram, Replies]]:
    """The real channel, polling a fake Bot API, bridged to `rasa_url`, with the SQLite store and
    handoff desk `waypoint run` has (every message is checked against open handoffs and
    counted); stopped cleanly after."""
    with FakeTelegram() as fake, tempfile.TemporaryDirectory() as var:
        replies = Replies(fake, asyncio.get_running_loop())
        store = PrivacyStore(open_database(f"sqlite:///{var}/waypoint.db"), Fernet.generate_key().decode())
        bridge = RasaBridge(rasa_url, timeout=5, store=store)
        channel = TelegramChannel(TelegramConfig("123456:BENCH", fake.base_url, "bench-key"), bridge,
                                  desk=HandoffDesk(store))
        task = asyncio.ensure_future(channel.run())
        try:
            await fake.wait_for("deleteWebhook")  # polling has started
            yield fake, replies
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await bridge.aclose()


async def through_telegram(rasa_url: str, people: int, turns: int, first_chat: int,
                           expected: dict[tuple[int, int], int] | None = None) -> tuple[Run, int, int]:
    """Our path. Returns the run, replies lost and replies duplicated (when `expected` given)."""
    run, lost, duplicated = Run(), 0, 0
    async with bot_on_fake_telegram(rasa_url) as (fake, replies):

        async def person(p: int) -> None:
            nonlocal lost
            chat = first_chat + p
            for t, text in enumerate(conversation(p, turns)):
                before = replies.count(chat)
                want = expected[(p, t)] if expected else 1
                sent_at = time.monotonic()
                fake.send_text(chat, text)
                if not await replies.wait_until(chat, before + max(want, 1), TURN_TIMEOUT):
                    lost += before + want - replies.count(chat)
                if replies.count(chat) > before:
                    run.first_reply_ms.append((replies.time_of(chat, before) - sent_at) * 1000)
                run.replies_per_turn[(p, t)] = replies.count(chat) - before
                await asyncio.sleep(THINK)

        started = time.perf_counter()
        await asyncio.gather(*(person(p) for p in range(people)))
        run.seconds = time.perf_counter() - started - THINK
        await asyncio.sleep(2.5)  # late duplicates, if any, arrive within the pacing of a turn
        if expected:
            total = sum(replies.count(first_chat + p) for p in range(people))
            duplicated = max(0, total - (sum(expected.values()) - lost))
    return run, lost, duplicated


async def crisis_with_rasa_down(messages: int = 100) -> list[float]:
    closed = f"http://127.0.0.1:{free_port()}"
    latencies = []
    async with bot_on_fake_telegram(closed) as (fake, replies):
        for i in range(messages):
            chat = 8_000_000 + i
            sent_at = time.monotonic()
            fake.send_text(chat, "i want to kill myself")
            await replies.wait_until(chat, 1, TURN_TIMEOUT)
            latencies.append((replies.time_of(chat, 0) - sent_at) * 1000)
            # Young people one after another, not a flood: back to back, Telegram's overall
            # limit of 30 messages a second (PatientRateLimiter) would be what this measures.
            await asyncio.sleep(0.1)
    return latencies[5:]  # the first few warm up PTB and the lexicon


async def main(levels: tuple[tuple[int, int], ...]) -> None:
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as var:
        settings = dataclasses.replace(base, var_dir=Path(var), rasa_port=free_port(), actions_port=free_port(),
                                       rasa_auth_token=None)
        print("[bench] starting Rasa and the action server...", flush=True)
        result: dict = {"levels": {}}
        async with stack.serving(settings, reuse=False):
            await through_telegram(settings.rasa_url, people=2, turns=3, first_chat=1)  # warm-up
            await raw_rest(settings, people=2, turns=3, tag="warm")
            for people, turns in levels:
                print(f"[bench] {people} at once x {turns} messages: raw REST...", flush=True)
                raw = await raw_rest(settings, people, turns, tag=f"raw{people}")
                print(f"[bench] {people} at once x {turns} messages: through Telegram...", flush=True)
                ours, lost, duplicated = await through_telegram(
                    settings.rasa_url, people, turns, first_chat=people * 1000, expected=raw.replies_per_turn)
                result["levels"][str(people)] = {
                    "raw": raw.summary(), "ours": ours.summary(), "lost": lost, "duplicated": duplicated,
                    "raw_latencies_ms": [round(v, 2) for v in raw.first_reply_ms],
                    "our_latencies_ms": [round(v, 2) for v in ours.first_reply_ms],
                }
        print("[bench] crisis messages with Rasa stopped...", flush=True)
        logging.getLogger("bot.conversation").setLevel(logging.ERROR)  # 100 expected failures
        crisis = await crisis_with_rasa_down()

    levels = result["levels"]
    result.update(
        p95_ratio_10=round(levels["10"]["ours"]["p95_ms"] / levels["10"]["raw"]["p95_ms"], 3),
        lost_50=levels["50"]["lost"],
        duplicated_50=levels["50"]["duplicated"],
        crisis_p95_ms_rasa_down=round(percentile(crisis, 95), 2),
        crisis_latencies_ms_rasa_down=[round(v, 2) for v in crisis],
    )
    print(f"\n{'people':>6} {'path':<9} {'turns':>5} {'msg/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for people, level in levels.items():
        for path in ("raw", "ours"):
            s = level[path]
            print(f"{people:>6} {path:<9} {s['turns']:>5} {s['throughput_per_s']:>6} {s['p50_ms']:>7} "
                  f"{s['p95_ms']:>7} {s['p99_ms']:>7}")
    print(f"\np95 ours/raw at 10: {result['p95_ratio_10']} (target <= 1.15)")
    print(f"lost at 50 x 40: {result['lost_50']}, duplicated: {result['duplicated_50']} (target 0 and 0)")
    print(f"crisis reply p95 with Rasa stopped: {result['crisis_p95_ms_rasa_down']} ms (target <= 20)")
    out = PROJECT_ROOT / "results" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"[bench] wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Telegram channel latency, losses and the Rasa-down crisis reply")
    parser.add_argument("--quick", action="store_true", help="fewer messages: a smoke run, not the targets")
    quick = parser.parse_args().quick
    asyncio.run(main(((1, 3), (10, 3), (50, 2)) if quick else ((1, 30), (10, 30), (50, 40))))
