"""Takes personal details out of a young person's message before a maintainer reads it.

What it catches, each replaced by a tag so the sentence still reads naturally for labelling:
- links (http://, www., and bare domains like insta.com/x)      -> [link]
- e-mail addresses                                              -> [email]
- @handles, and usernames given after an app name ("snap is jay_09", "my insta: x.y") -> [handle]
- phone numbers (7 or more digits, with spaces, dots, dashes or brackets) -> [phone]
- street addresses ("12 Elm Street", "400 Main Rd")              -> [address]
- names where a cue shows one: "my name is Sam", "I'm called Sam", "call me Sam" (capitalised), and a
  capitalised word after a relation ("my friend Jake", "my bf Tyler")  -> [name]

What it cannot catch: names typed without a cue, or in lower case after a relation ("my
friend jake"); school names, towns, ages, descriptions of someone. A person still reviews
every line before it is imported (docs/maintainers.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_APPS = r"snap(?:chat)?|insta(?:gram)?|ig|discord|tiktok|tik tok|telegram|kik|twitter|x|roblox|fortnite|whatsapp|wa"
_RELATIONS = (r"friend|bf|gf|boyfriend|girlfriend|sister|brother|sis|bro|mom|mum|dad|cousin|uncle|aunt|"
              r"stepdad|stepmom|teacher|coach|ex|neighbou?r|classmate")

# Order matters: an e-mail contains an @handle, a link may contain digits.
PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("link", re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|gg|me|co|ly|app|tv|uk|ca|au)"
                        r"(?:/\S*)?\b", re.I), "[link]"),
    ("handle", re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,}"), "[handle]"),
    ("handle", re.compile(rf"(?i)(\b(?:my|his|her|their|the)?\s*(?:{_APPS})\s*(?:name|username|user|@)?\s*(?:is|:|=|-)\s*)"
                          r"(?!\[)([A-Za-z0-9_.]*[0-9_.][A-Za-z0-9_.]*|[A-Za-z][A-Za-z0-9_.]{2,})"), r"\1[handle]"),
    ("phone", re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{5,}\d(?![\w])"), "[phone]"),
    ("address", re.compile(r"(?i)\b\d{1,5}\s+(?:[A-Za-z]+\s){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|"
                           r"court|ct|boulevard|blvd|crescent)\b\.?"), "[address]"),
    ("name", re.compile(r"(?i:\b(my name is|my name's|i'm called|im called|i am called)\s+)([A-Za-z]+)"), r"\1 [name]"),
    ("name", re.compile(r"(?i:\b(call me)\s+)([A-Z][a-z]+)"), r"\1 [name]"),  # "call me when..." is not a name
    ("name", re.compile(rf"(\b(?i:my)\s+(?i:{_RELATIONS})\s+)([A-Z][a-z]+)\b"), r"\1[name]"),
)
_NUMBER_OF_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Scrubbed:
    text: str
    found: Counter  # kind -> how many were replaced


def scrub(text: str) -> Scrubbed:
    found: Counter = Counter()
    for kind, pattern, replacement in PATTERNS:
        def replace(match: re.Match[str], kind=kind, replacement=replacement) -> str:
            if kind == "phone" and len(_NUMBER_OF_DIGITS.findall(match.group(0))) < 7:
                return match.group(0)  # "300", "2024", "13-15": amounts, years, ages
            found[kind] += 1
            return match.expand(replacement)

        text = pattern.sub(replace, text)
    return Scrubbed(re.sub(r"\s{2,}", " ", text).strip(), found)
