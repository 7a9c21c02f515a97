"""Checks every reply must pass before it can reach a young person.

No blame, no request for images (data/response_rules.yml), a reading level a scared
12-year-old can follow, no phone number or address that is not in the resources file,
where each has a source and a verified date, no claim about a service (anonymous, open
24/7, call or text, removal) outside that service's own line, and no message longer than a
phone shows at a glance (words and buttons, data/response_rules.yml `message_size`). CI runs
these on every reply the bot can send.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import textstat
import yaml

from bot import places, resources

RULES_FILE = Path(__file__).parent / "data" / "response_rules.yml"
MAX_GRADE = {"under_13": 5.0, "default": 7.0}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
_AGE_RANGE = re.compile(r"\d{1,2}-\d{1,2}")  # "13-15" on an age button is not a number to call
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d \t().-]{1,16}\d(?![\w-])|\b\d-\d{3}-[A-Z]{3}-[A-Z]{4}\b")
# A word as a young person reads it: anything with a letter or digit ("-" starting a list item is not one).
_WORD = re.compile(r"\S*[^\W_]\S*")
_ADDRESS = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:org|com|ca|uk|au|gov|net|io)(?:/[\w/-]*)?", re.I)


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    why: str
    unless_before: re.Pattern[str] | None = None

    def hits(self, sentence: str) -> bool:
        for match in self.pattern.finditer(sentence):
            before = sentence[: match.start()]
            if self.unless_before is None or not self.unless_before.search(before):
                return True
        return False


@lru_cache(maxsize=None)
def rules(kinds: tuple[str, ...] = ("victim_blaming", "image_requests")) -> tuple[Rule, ...]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    found = []
    for kind in kinds:
        for raw in data[kind]:
            unless = raw.get("unless_before")
            found.append(
                Rule(
                    kind=kind,
                    pattern=re.compile(raw["pattern"], re.I),
                    why=raw["why"],
                    unless_before=re.compile(unless, re.I) if unless else None,
                )
            )
    return tuple(found)


def broken_rules(text: str, kinds: tuple[str, ...] = ("victim_blaming", "image_requests")) -> list[str]:
    """Each rule a sentence of `text` breaks, as "kind: why: sentence"."""
    problems = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(text))):
        for rule in rules(kinds):
            if rule.hits(sentence):
                problems.append(f"{rule.kind}: {rule.why}: {sentence!r}")
    return problems


def unbacked_claims(text: str) -> list[str]:
    """Claims about a service (anonymous, hours, call or text, removal) that `text` makes
    outside a service's own line, where no resources.yml entry backs them."""
    shared = text
    for resource in resources.all_resources():
        shared = shared.replace(resource.line(), "")
    return broken_rules(shared, kinds=("service_claims",))


def grade(text: str) -> float:
    """Flesch-Kincaid grade of a whole message, numbers and addresses read as one short word.

    "1-800-843-5678" and "report.cybertip.org" are copied, not read, so they must not count
    as long words.
    """
    prose = _ADDRESS.sub("it", _PHONE.sub("it", text))
    return textstat.flesch_kincaid_grade(prose)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def unknown_contacts(text: str) -> list[str]:
    """Phone numbers and web addresses in `text` that the resources file does not list."""
    known = [f for r in resources.all_resources() for f in r.contacts()]
    known += [n for c in places.countries().values() for n in c.emergency]
    known_digits = [_digits(f) for f in known if _digits(f)]
    known_text = " ".join(known).lower()
    unknown = []
    for match in _PHONE.finditer(text):
        number = match.group().strip()
        digits = _digits(number)
        if _AGE_RANGE.fullmatch(number):
            continue
        if len(digits) >= 3 and not any(digits in k for k in known_digits) and number.upper() not in known_text.upper():
            unknown.append(number)
    for match in _ADDRESS.finditer(text):
        if match.group().lower() not in known_text:
            unknown.append(match.group())
    return unknown


@dataclass(frozen=True)
class MessageSize:
    max_words: int
    max_buttons: int
    why: str


@lru_cache(maxsize=1)
def message_size() -> MessageSize:
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["message_size"]
    return MessageSize(max_words=int(raw["max_words"]), max_buttons=int(raw["max_buttons"]), why=raw["why"])


def word_count(text: str) -> int:
    """Words in one message as it is read: a phone number is one word however it is spaced
    ("1800 55 1800", "0800 1111"), an address is one, a list item's dash is none."""
    return len(_WORD.findall(_PHONE.sub("0", text)))


def oversized(text: str, buttons: Sequence[str] = ()) -> list[str]:
    """What makes one message (its text as rendered, with its buttons) bigger than a message
    may be: more words or buttons than message_size allows (its `why` says why). The rest
    belongs in the turn's next message or behind a button."""
    size = message_size()
    problems = []
    if (words := word_count(text)) > size.max_words:
        problems.append(f"{words} words (at most {size.max_words})")
    if len(buttons) > size.max_buttons:
        problems.append(f"{len(buttons)} buttons (at most {size.max_buttons})")
    return problems
