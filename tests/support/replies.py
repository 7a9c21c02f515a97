"""Every text the bot can send a young person, gathered for the reply checks.

Domain responses are read from responses/, with each region's help lines filled in as the
actions fill them; custom actions are run for real (rasa-sdk's own
Tracker and CollectingDispatcher) for every region and a few typed answers, so a new action
or region is checked without anyone listing its texts by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.resources import help_lines
from bot import resources
from bot.channels.telegram import CANT_READ_REPLY, EXIT_LINE, NOT_PRIVATE_REPLY, SHARED_PLACE_REPLY, media_refusal
from bot.config import PROJECT_ROOT
from bot.messages import Reply
from bot import privacy_replies
from bot.handoff import replies as handoff_replies
from bot.store.privacy import SubjectData
from bot.never_silent import fallback_text
from tests.support.tracker import fresh_tracker

# Typed messages that exercise each action's branches (the text is all these actions read).
SAMPLE_TEXTS = ("hi", "i'm in canada", "im from germany", "perth", "im 12", "16", "idk")
# Every region, countries of each kind (an EU member, a country with its own emergency number,
# one with none listed) and no country at all.
COUNTRIES = (*resources.REGIONS, "DE", "IN", "NG", "AQ", None)


@dataclass(frozen=True)
class BotText:
    source: str
    text: str
    age_band: str | None = None  # the condition on a response variant, when there is one
    language: str = "en"  # a variant's metadata says when it is not English


def domain_responses() -> Iterator[BotText]:
    for path in sorted((PROJECT_ROOT / "responses").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            for variant in variants:
                band = next(
                    (c.get("value") for c in variant.get("condition") or [] if c.get("name") == "age_band"),
                    None,
                )
                titles = [b["title"] for b in variant.get("buttons") or []]
                language = (variant.get("metadata") or {}).get("language", "en")
                for text in [*_filled(variant.get("text") or ""), *titles]:
                    if text:
                        yield BotText(f"{path.name}:{name}", text, band, language)


def _filled(text: str) -> set[str]:
    """A response as each region sees it: its {placeholders} filled as the actions fill them."""
    if "{" not in text:
        return {text}
    return {text.format(**help_lines(region), language_line=resources.crisis_line_in(region, language)[0].contact_line())
            for region in COUNTRIES for language in ("es", "fr")}


def _tracker(text: str, region: str | None):
    return fresh_tracker({"country": region, "age_band": None}, {"text": text, "intent": {}, "entities": []},
                         sender="reply-check")


def action_texts() -> Iterator[BotText]:
    executor = ActionExecutor()
    executor.register_package("actions")
    for name, run in executor.actions.items():  # action name -> its run coroutine function
        for region in COUNTRIES:
            for text in SAMPLE_TEXTS:
                dispatcher = CollectingDispatcher()
                asyncio.run(run(dispatcher, _tracker(text, region), {}))
                for message in dispatcher.messages:
                    if message.get("text"):
                        yield BotText(f"action {name} ({region}, {text!r})", message["text"])


def channel_texts() -> Iterator[BotText]:
    for region in COUNTRIES:
        for band in (None, "under_13"):
            for category in (None, "crisis", "danger"):
                yield BotText(f"never-silent reply ({region}, {band}, {category})",
                              fallback_text(region, category, age_band=band), band)
            yield BotText(f"never-silent reply ({region}, {band}, act under way)",
                          fallback_text(region, "crisis", True, band), band)
    # Privacy replies: one text for every age, so held to the under-13 reading level.
    samples = [SubjectData({}, {}), SubjectData({"improve_bot": True}, {"improve_bot": 3}),
               SubjectData({"counsellor_read": True}, {"counsellor_read": 4}, tickets=1)]
    fixed = [v for v in vars(privacy_replies).values() if isinstance(v, Reply)]
    for reply in [*fixed, *map(privacy_replies.mydata, samples)]:
        for text in [reply.text, *(b.title for b in reply.buttons)]:
            yield BotText(f"privacy reply {text[:30]!r}", text, "under_13")
    for region in COUNTRIES:
        yield BotText(f"telegram media refusal ({region})", media_refusal(region), "under_13")
    for name, text in [("group refusal", NOT_PRIVATE_REPLY), ("contact/location", SHARED_PLACE_REPLY),
                       ("voice/sticker", CANT_READ_REPLY), ("exit", EXIT_LINE)]:
        yield BotText(f"telegram {name}", text)


def handoff_texts() -> Iterator[BotText]:
    """What a young person reads during a handoff, canned replies included. One wording for
    every age: those without a service's name are held to the under-13 level; service names
    (Suicide & Crisis Lifeline) read as hard words, so texts naming them get the default
    level, as the never-silent reply does."""
    fixed = [v for v in vars(handoff_replies).values() if isinstance(v, Reply)]
    for region in COUNTRIES:
        built = [handoff_replies.ask_to_share(region), handoff_replies.in_line(3, region),
                 handoff_replies.waiting_pack(region, "Monday 9:00 AM, UK time"),
                 handoff_replies.waiting_pack(region, None), handoff_replies.expired(region)]
        for reply in built:
            for text in [reply.text, *(b.title for b in reply.buttons)]:
                yield BotText(f"handoff reply {text[:30]!r} ({region})", text)
        for canned in handoff_replies.canned():
            filled = canned.for_region(region)
            yield BotText(f"canned reply {canned.key} ({region})", filled, None if filled != canned.text else "under_13")
    for reply in [*fixed, handoff_replies.still_in_line(2), handoff_replies.joined("Sam"),
                  handoff_replies.with_counsellor("Sam"), handoff_replies.back_in_line(1)]:
        for text in [reply.text, *(b.title for b in reply.buttons)]:
            yield BotText(f"handoff reply {text[:30]!r}", text, "under_13")


def all_bot_texts() -> list[BotText]:
    seen, unique = set(), []
    for item in (*domain_responses(), *action_texts(), *channel_texts(), *handoff_texts()):
        if item.text not in seen:
            seen.add(item.text)
            unique.append(item)
    return unique
