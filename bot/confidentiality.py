"""Someone else's secret: a message that says "don't tell" but is not the young person asking
whether this chat is private.

A groomer's words pasted in ("don't tell your parents about me"), or a friend's promise ("she
made me promise not to tell"), sound like a plea for privacy and are the opposite: they are
warning signs, or a friend's safety. nlu_components/privacy_question.py never marks them.
"""

from __future__ import annotations

import re

_NOT_THEIRS = re.compile(
    r"\b(?:made\s+me\s+promise|told\s+me\s+not\s+to|said\s+(?:not\s+to|to\s+keep)|"
    r"tell\s+your\s+(?:parents?|mum|mom|dad|family)|(?:he|she|they)\s+(?:said|says|told\s+me))\b"
)


# The young person telling someone themselves ("should i tell my mom", "ill tell my brother",
# "i cant tell my dad"): a plan or a fear, not a question whether this chat is private. "I won't
# tell your parents" there reads as advice not to tell (the second blind conversations' review).
_THEY_TELL = re.compile(
    r"\b(?:i|ill|i'll|im|i'm|ive|i've|id|i'd)\b[^.?!]{0,20}?\b(?:tell|told|telling|talk\s+to)\s+"
    r"(?:my|her|his|their|a|an|the|some|someone|somebody|them|him|mum|mom|dad|mam|ma|parents?|teacher|police|cops)\b"
)


def _plain(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def someone_elses_secret(text: str) -> bool:
    """Not a question whether this chat is private: someone else's secret, or the young person
    telling someone themselves."""
    return bool(_NOT_THEIRS.search(_plain(text)) or _THEY_TELL.search(_plain(text)))


# A friend's secret they were made to keep: "she made me promise not to tell", "i swore i wouldnt
# say anything", "he said to keep it a secret".
_PROMISE = re.compile(
    r"\b(?:made\s+me\s+(?:promise|swear)|(?:i\s+)?(?:promised|swore|sworn|pinky\s+promised)\b[^.?!]{0,40}"
    r"\b(?:not|never|wouldnt|wouldn't|wont|won't)\b|sworn\s+to\s+secrecy|keep\s+it\s+(?:a\s+)?secret|"
    r"(?:said|told\s+me)\s+not\s+to\s+tell)"
)


def friends_promise(text: str) -> bool:
    """They were made to promise to keep it secret (in the friend flow: a friend's secret)."""
    return bool(_PROMISE.search(_plain(text)))
