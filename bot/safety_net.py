"""The deterministic crisis/danger safety net: a reviewed lexicon that cannot be out-voted.

A learned classifier can miss a sentence it has never seen; a child saying they want to die
must get the crisis line anyway. The lexicon (data/safety_lexicon.yml) is matched after the
model, inside Rasa (nlu_components/safety_net.py), and again by the channel when Rasa is
down. Pure Python with PyYAML only, so both environments import it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_FILE = Path(__file__).parent / "data" / "safety_lexicon.yml"
PRECEDENCE = ("crisis", "danger")
# Grooming cues lift to unsafe_contact only a message the model left in category other or
# would answer "not sure I understood"; never a safety category (nlu_components/safety_net.py).
GROOMING_FILE = Path(__file__).parent / "data" / "grooming_cues.yml"
GROOMING = ("unsafe_contact",)

# Also the tokenizer's (nlu_components/plain_tokenizer.py): one spelling for "I'm" and "im".
APOSTROPHES = "'\u2019\u2018`"
_APOSTROPHES = re.compile(f"[{APOSTROPHES}]")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # a letter (any script) 3+ times
# Scots, Irish and northern English "myself" ("hurt masel again"), and common typos of it.
_MYSELF = re.compile(r"\b(?:masel|mysel|maself|meself|myslef|myslf|mysef)\b")
_SPACES = re.compile(r"\s+")


# Cyrillic and Greek letters drawn like Latin ones ("kіll" with a Cyrillic і) read as the Latin
# letter. Everywhere, not only inside Latin words: a hider swaps whole words too, and the net has
# no Cyrillic or Greek phrasings that this could spoil.
_LOOK_ALIKES = str.maketrans(
    "авеёкмнорстухѕіїјԁһԛԝӏүɡɑıαβεηικνορτυχγω",
    "abeekmhopctyxsiijdhqwlygaiabenikvoptuxyw",
)


def without_accents(text: str) -> str:
    """"é" as "e", "ñ" as "n": the lexicon's patterns are read the same way."""
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    )


def _plain_letters(text: str) -> str:
    """What a phone or a hider can dress letters in, undone: invisible characters (zero-width
    spaces, soft hyphens, direction marks) dropped, fullwidth and styled letters ("ｋｉｌｌ",
    "𝐤𝐢𝐥𝐥") as plain ones (NFKC), look-alike letters from other scripts, accents."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text).lower()
    return without_accents(text.translate(_LOOK_ALIKES))


def normalise(text: str) -> str:
    """Plain letters, lowercase, no apostrophes, stretched letters ("pleeease") and spaces
    squeezed."""
    text = _APOSTROPHES.sub("", _plain_letters(text))
    text = _MYSELF.sub("myself", _REPEATS.sub(r"\1\1", text))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Signal:
    id: str
    category: str
    description: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...] = ()
    # An act already done or under way (took something, is bleeding): the emergency number
    # goes in the first sentence, together with the crisis line.
    emergency: bool = False
    # The language the signal's phrasings are in, when not English: that turn's reply says,
    # in it, that the bot reads English best, and gives the line to call or text now.
    language: str = "en"

    def fires(self, normalised: str) -> bool:
        return any(p.search(normalised) for p in self.patterns) and not any(
            u.search(normalised) for u in self.unless
        )


@dataclass(frozen=True)
class Match:
    signal: str
    category: str
    emergency: bool = False
    language: str = "en"


class SafetyNet:
    def __init__(self, signals: list[Signal], precedence: tuple[str, ...] = PRECEDENCE) -> None:
        order = {category: i for i, category in enumerate(precedence)}
        # Crisis before danger; within a category an act done or under way first (its reply
        # leads with the emergency number), then file order.
        self.signals = sorted(signals, key=lambda s: (order[s.category], not s.emergency))

    @classmethod
    def from_file(cls, path: Path = LEXICON_FILE, precedence: tuple[str, ...] = PRECEDENCE) -> "SafetyNet":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        signals = []
        for raw in data["signals"]:
            if raw["category"] not in precedence:
                raise ValueError(f"{raw['id']}: category must be one of {precedence}")
            signals.append(
                Signal(
                    id=raw["id"],
                    category=raw["category"],
                    description=raw.get("description", ""),
                    patterns=tuple(re.compile(without_accents(p)) for p in raw["patterns"]),
                    unless=tuple(re.compile(without_accents(p)) for p in raw.get("unless") or ()),
                    emergency=bool(raw.get("emergency", False)),
                    language=raw.get("language", "en"),
                )
            )
        return cls(signals, precedence)

    def check(self, text: str) -> Match | None:
        normalised = normalise(text)
        for signal in self.signals:
            if signal.fires(normalised):
                return Match(signal.id, signal.category, signal.emergency, signal.language)
        return None


@lru_cache(maxsize=1)
def default_net() -> SafetyNet:
    return SafetyNet.from_file()


@lru_cache(maxsize=1)
def grooming_cues() -> SafetyNet:
    return SafetyNet.from_file(GROOMING_FILE, GROOMING)
