"""Every text the bot can send a young person, gathered for the reply checks, one by one
(all_bot_texts: each message's text and each button title) and as whole messages
(all_bot_messages: a text as rendered with its buttons, for the size check).

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


@dataclass(frozen=True)
class BotMessage:
    """One message as a young person receives it: the text as rendered, and its button titles."""

    source: str
    text: str
    buttons: tuple[str, ...] = ()


def _variants() -> Iterator[tuple[str, dict, str | None, str]]:
    """Each variant of each domain response: (source, variant, its age band, its language)."""
    for path in sorted((PROJECT_ROOT / "responses").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            for variant in variants:
                band = next(
                    (c.get("value") for c in variant.get("condition") or [] if c.get("name") == "age_band"),
                    None,
                )
                language = (variant.get("metadata") or {}).get("language", "en")
                yield f"{path.name}:{name}", variant, band, language


def domain_responses() -> Iterator[BotText]:
    for source, variant, band, language in _variants():
        titles = [b["title"] for b in variant.get("buttons") or []]
        for text in [*_filled(variant.get("text") or ""), *titles]:
            if text:
                yield BotText(source, text, band, language)


def _renderings(text: str) -> dict[str, str]:
    """A response as each region sees it, by where it was rendered for: its {placeholders}
    filled as the actions fill them (the line in a language, for the Spanish and French notes)."""
    if "{" not in text:
        return {"": text}
    return {f"{region}, {language}": text.format(**help_lines(region),
                                                 language_line=resources.crisis_line_in(region, language)[0].contact_line())
            for region in COUNTRIES for language in ("es", "fr")}


def _filled(text: str) -> set[str]:
    """A response as each region sees it: its {placeholders} filled as the actions fill them."""
    return set(_renderings(text).values())


def _tracker(text: str, region: str | None):
    return fresh_tracker({"country": region, "age_band": None}, {"text": text, "intent": {}, "entities": []},
                         sender="reply-check")


def _action_messages() -> Iterator[tuple[str, dict]]:
    """What each custom action sends itself (not a domain response), for every region and sample."""
    executor = ActionExecutor()
    executor.register_package("actions")
    for name, run in executor.actions.items():  # action name -> its run coroutine function
        for region in COUNTRIES:
            for text in SAMPLE_TEXTS:
                dispatcher = CollectingDispatcher()
                asyncio.run(run(dispatcher, _tracker(text, region), {}))
                for message in dispatcher.messages:
                    if message.get("text"):
                        yield f"action {name} ({region}, {text!r})", message


def action_texts() -> Iterator[BotText]:
    for source, message in _action_messages():
        yield BotText(source, message["text"])


def _plain_channel_replies() -> Iterator[tuple[str, str, str | None]]:
    """The never-silent reply and the Telegram channel's own lines, none with buttons:
    (source, text, the age band whose reading level it is held to)."""
    for region in COUNTRIES:
        for band in (None, "under_13"):
            for category in (None, "crisis", "danger"):
                yield f"never-silent reply ({region}, {band}, {category})", fallback_text(region, category, age_band=band), band
            yield f"never-silent reply ({region}, {band}, act under way)", fallback_text(region, "crisis", True, band), band
    for region in COUNTRIES:  # one wording for every age, so held to the under-13 level
        for i, text in enumerate(media_refusal(region), 1):  # each of its messages
            yield f"telegram media refusal {i} ({region})", text, "under_13"
    for name, text in [("group refusal", NOT_PRIVATE_REPLY), ("contact/location", SHARED_PLACE_REPLY),
                       ("voice/sticker", CANT_READ_REPLY), ("exit", EXIT_LINE)]:
        yield f"telegram {name}", text, None


def channel_texts() -> Iterator[BotText]:
    for source, text, band in _plain_channel_replies():
        yield BotText(source, text, band)
    # Privacy replies: one text for every age, so held to the under-13 reading level.
    for _, reply in _privacy_replies():
        for text in [reply.text, *(b.title for b in reply.buttons)]:
            yield BotText(f"privacy reply {text[:30]!r}", text, "under_13")


def handoff_texts() -> Iterator[BotText]:
    """What a young person reads during a handoff, canned replies included. One wording for
    every age: those without a service's name are held to the under-13 level; service names
    (Suicide & Crisis Lifeline) read as hard words, so texts naming them get the default
    level, as the never-silent reply does."""
    for region in COUNTRIES:
        for reply in _handoff_replies_for(region):
            for text in [reply.text, *(b.title for b in reply.buttons)]:
                yield BotText(f"handoff reply {text[:30]!r} ({region})", text)
    for source, text, band in _canned_replies():
        yield BotText(source, text, band)
    for reply in _handoff_replies_for_all():
        for text in [reply.text, *(b.title for b in reply.buttons)]:
            yield BotText(f"handoff reply {text[:30]!r}", text, "under_13")


def _privacy_replies() -> Iterator[tuple[str, Reply]]:
    samples = [SubjectData({}, {}), SubjectData({"improve_bot": True}, {"improve_bot": 3}),
               SubjectData({"counsellor_read": True}, {"counsellor_read": 4}, tickets=1)]
    fixed = [v for v in vars(privacy_replies).values() if isinstance(v, Reply)]
    for reply in [*fixed, *map(privacy_replies.mydata, samples)]:
        yield f"privacy reply {reply.text[:30]!r}", reply


def _handoff_replies_for(region: str | None) -> list[Reply]:
    """Each message, where a reply is a few messages (asking to share, the waiting pack)."""
    return [*handoff_replies.ask_to_share(region), handoff_replies.in_line(3, region),
            *handoff_replies.waiting_pack(region, "Monday 9:00 AM, UK time"),
            *handoff_replies.waiting_pack(region, None), handoff_replies.expired(region)]


def _handoff_replies_for_all() -> list[Reply]:
    fixed = [v for v in vars(handoff_replies).values() if isinstance(v, Reply)]
    return [*fixed, handoff_replies.still_in_line(2), handoff_replies.joined("Sam"),
            handoff_replies.with_counsellor("Sam"), handoff_replies.back_in_line(1)]


def _canned_replies() -> Iterator[tuple[str, str, str | None]]:
    """What a counsellor can send with /canned, filled in for each region, each of a reply's
    messages on its own: (source, text, band)."""
    for region in COUNTRIES:
        for canned in handoff_replies.canned():
            for i, filled in enumerate(canned.messages_for(region), 1):
                name = canned.key if len(canned.texts) == 1 else f"{canned.key} {i}"
                yield f"canned reply {name} ({region})", filled, None if filled not in canned.texts else "under_13"


def _handoff_replies() -> Iterator[tuple[str, Reply]]:
    for region in COUNTRIES:
        for reply in _handoff_replies_for(region):
            yield f"handoff reply {reply.text[:30]!r} ({region})", reply
    for reply in _handoff_replies_for_all():
        yield f"handoff reply {reply.text[:30]!r}", reply


def all_bot_messages() -> list[BotMessage]:
    """Every message a young person can receive, whole: each domain response variant as each
    region sees it, what each action sends itself, the channel's and the handoff's replies.
    One of each distinct text and buttons, named by where it first came from."""
    messages: list[BotMessage] = []
    for source, variant, band, _ in _variants():
        titles = tuple(b["title"] for b in variant.get("buttons") or [])
        for where, text in _renderings(variant.get("text") or "").items():
            label = ", ".join(filter(None, [band, where]))
            messages.append(BotMessage(f"{source} ({label})" if label else source, text, titles))
    for source, message in _action_messages():
        messages.append(BotMessage(source, message["text"], tuple(b["title"] for b in message.get("buttons") or [])))
    for source, text, _ in [*_plain_channel_replies(), *_canned_replies()]:
        messages.append(BotMessage(source, text))
    for source, reply in [*_privacy_replies(), *_handoff_replies()]:
        messages.append(BotMessage(source, reply.text, tuple(b.title for b in reply.buttons)))
    seen, unique = set(), []
    for message in messages:
        if (message.text, message.buttons) not in seen:
            seen.add((message.text, message.buttons))
            unique.append(message)
    return unique


def all_bot_texts() -> list[BotText]:
    seen, unique = set(), []
    for item in (*domain_responses(), *action_texts(), *channel_texts(), *handoff_texts()):
        if item.text not in seen:
            seen.add(item.text)
            unique.append(item)
    return unique
