"""What young people say about their age: an answer to "how old are you?" or an age said in
passing ("im 10", "14f", "year 8"). Only the band is ever kept, never the age.
"""

from __future__ import annotations

import re

AGE_BANDS = ("under_13", "13_15", "16_17", "18_plus")

_NUMBER_WORDS = {
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}


def age_band(text: str) -> str | None:
    """under_13 | 13_15 | 16_17 | 18_plus from "im 12", "fifteen", "under 13", "16-17"."""
    lowered = text.lower()
    if re.search(r"\bunder\s*13\b|\b(younger|less)\s+than\s+13\b", lowered):
        return "under_13"
    numbers = [int(n) for n in re.findall(r"\b\d{1,2}\b", lowered)]
    numbers += [v for word, v in _NUMBER_WORDS.items() if re.search(rf"\b{word}\b", lowered)]
    return band_of(min(numbers)) if numbers else None


def band_of(age: int) -> str:
    if age < 13:
        return "under_13"
    if age <= 15:
        return "13_15"
    if age <= 17:
        return "16_17"
    return "18_plus"


_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
# An age said in passing ("im 10", "14f", "year 8", "7th grade"), not any number in a message.
_STATED_AGE = [
    (re.compile(rf"\b(?:i'?m|i am|am)\s+(?:only\s+|just\s+)?{_NUMBER}\b(?!\s*(?:min|hour|day|week|month|pm|am\b|%|percent|dollar|buck|k\b|times|pics?|people|follower|mile|km))"), 0),
    (re.compile(rf"\b{_NUMBER}\s*(?:f|m|yo|y/o|yrs?\s+old|years?\s+old)\b"), 0),
    # School years: UK "year 8" starts the year a child turns 13, US "7th grade" the year they turn 13.
    (re.compile(r"\byear\s*(\d{1,2})\b"), 4),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+grade\b|\bgrade\s+(\d{1,2})\b"), 5),
]


# Someone else's age ("hes 25", "a 19 year old", "20yo guy", "in his 30s"): never the writer's.
_SOMEONE_ELSES_AGE = [
    re.compile(rf"\b(?:he|she|they|hes|shes|theyre)\s*(?:'?s|is|are|'?re|was|were|says\s+(?:hes|shes|he'?s|she'?s)|said\s+(?:he|she)\s+was)?\s+"
               rf"(?:like\s+|about\s+|around\s+|prob(?:ably)?\s+)?{_NUMBER}\b(?!\s*(?:min|hour|day|week|month|pm|am\b|%|k\b|times|mile|km))"),
    re.compile(rf"\b{_NUMBER}\s*(?:yo|y/o|yrs?\s+old|years?\s+old|year\s+old)\s+(?:guy|man|dude|woman|lady|girl|boy|person|bloke)\b"),
    re.compile(rf"\b(?:a|an|this|some|the|that)\s+{_NUMBER}\s*(?:yo|y/o|yrs?\s+old|years?\s+old|year\s+old)\b"),
    re.compile(r"\bin\s+(?:his|her|their)\s+(20|30|40|50|60)s\b"),
]
# An adult by the words used for them. Not a bare "adult": "should i tell an adult" is advice taken.
_ADULT_WORDS = re.compile(
    r"\bgrown[\s-]*(?:up\s+)?(?:man|woman|guy|adult)\b|\b(?:older|old|adult)\s+(?:man|men|guy|woman|lady|dude|bloke)\b"
    r"|\b(?:a|this|some|the|that)\s+(?:man|woman|lady|adult)\b(?!\s+(?:i|you|we)\s+trust)"
    r"|\b(?:hes|shes|he'?s|she'?s|he\s+is|she\s+is|theyre|they'?re|they\s+are)\s+(?:an?\s+)?(?:adult|grown)"
)
# "tell a grown man"? No: "should i tell the adult"-like advice, before the words, is not about them.
_TELLING = re.compile(r"\b(?:tell|told|telling|ask|asked|talk\s+to|trust|trusted|find|get)\s+$")


def _someone_elses_ages(lowered: str) -> list[tuple[int, tuple[int, int]]]:
    found = []
    for pattern in _SOMEONE_ELSES_AGE:
        for match in pattern.finditer(lowered):
            said = next(g for g in match.groups() if g)
            found.append((int(said) if said.isdigit() else _NUMBER_WORDS[said], match.span()))
    return found


def other_is_adult(text: str) -> bool:
    """The other person is an adult, by their age ("hes 25", "a 19 year old") or by the words
    used for them ("a grown man", "this older guy", "some man on roblox")."""
    lowered = text.lower()
    if any(age >= 18 for age, _ in _someone_elses_ages(lowered)):
        return True
    return any(not _TELLING.search(lowered[:m.start()]) for m in _ADULT_WORDS.finditer(lowered))


def stated_age_band(text: str) -> str | None:
    """The age band a message states in passing, taking the youngest reading of a school year.
    Someone else's age ("hes 16", "a 19 year old guy") is not the writer's."""
    lowered = text.lower()
    others = [span for _, span in _someone_elses_ages(lowered)]
    for pattern, years_before in _STATED_AGE:
        for match in pattern.finditer(lowered):
            if any(start <= match.start() < end for start, end in others):
                continue
            said = next(g for g in match.groups() if g)
            age = int(said) if said.isdigit() else _NUMBER_WORDS[said]
            age += years_before
            if 8 <= age <= 19:
                return band_of(age)
    return None
