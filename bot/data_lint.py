"""`make validate`'s own checks, for what `rasa data validate` does not look at.

- the same example under two intents (the model cannot learn both), or twice in one;
- an intent with too few examples to learn from;
- the category map (bot/data/categories.yml) out of step with nlu/ or the domain;
- a training line that is also in a held-out test set (the evaluation would be flattering);
- personal details in a training line (the scrubber finds them);
- banned words in what the bot says: blame, or asking for images (bot/data/response_rules.yml);
- a help service (bot/data/resources.yml) with no source, or with a field no reply reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from bot.categories import intents as mapped_intents
from bot.resources import Resource
from bot.nlu_data import Example, held_out, read_examples
from bot.response_rules import broken_rules
from bot.scrubber import scrub

MIN_EXAMPLES = 10
PRIVACY_QUESTIONS = "bot/data/privacy_questions.yml"  # nlu_components/privacy_question.py learns from it
FOLLOW_UPS = "bot/data/follow_ups.yml"  # nlu_components/follow_up.py learns from it


@dataclass(frozen=True)
class Problem:
    check: str
    detail: str


def lint(root: Path) -> list[Problem]:
    examples = read_examples(root / "nlu")
    return [*_duplicates(examples), *_too_few(examples), *_category_map(root, examples),
            *_held_out_leaks(root, examples), *_personal_details(examples), *_banned_words(root),
            *_unsourced_resources(root)]


def _duplicates(examples: list[Example]) -> list[Problem]:
    """Across intents, lines that differ only in case, spacing or end punctuation conflict;
    within one intent only the very same line is a repeat ("hi" and "hi?" are two ways to greet)."""
    where: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        where[example.key].append(example)
    problems = []
    for same in where.values():
        intents = sorted({e.intent for e in same})
        if len(intents) > 1:
            places = ", ".join(f"{e.intent} ({e.file})" for e in same)
            problems.append(Problem("same example, two intents", f"{same[0].text!r} is under {places}"))
        elif len(same) > len({e.text.strip().lower() for e in same}):
            problems.append(Problem("repeated example", f"{same[0].text!r} appears more than once under {intents[0]}"))
    return problems


def _too_few(examples: list[Example]) -> list[Problem]:
    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        counts[example.intent] += 1
    return [Problem("too few examples", f"{intent} has {n}; write at least {MIN_EXAMPLES}")
            for intent, n in sorted(counts.items()) if n < MIN_EXAMPLES]


def _domain_intents(root: Path) -> set[str]:
    found = set()
    for path in (root / "responses").glob("*.yml"):
        found |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or [])
    return found


def _category_map(root: Path, examples: list[Example]) -> list[Problem]:
    in_nlu, in_map, in_domain = {e.intent for e in examples}, set(mapped_intents()), _domain_intents(root)
    problems = [Problem("category map", f"intent {i} is in nlu/ but not in bot/data/categories.yml")
                for i in sorted(in_nlu - in_map)]
    problems += [Problem("category map", f"intent {i} is in bot/data/categories.yml but has no examples in nlu/")
                 for i in sorted(in_map - in_nlu)]
    problems += [Problem("category map", f"intent {i} is in nlu/ but not in the domain (responses/)")
                 for i in sorted(in_nlu - in_domain)]
    return problems


def _held_out_leaks(root: Path, examples: list[Example]) -> list[Problem]:
    """nlu/, and the lines a pipeline step learns from outside nlu/ (privacy questions, follow-ups)."""
    test_lines = held_out(root)
    questions = yaml.safe_load((root / PRIVACY_QUESTIONS).read_text(encoding="utf-8"))["questions"]
    kinds = yaml.safe_load((root / FOLLOW_UPS).read_text(encoding="utf-8"))["kinds"]
    learned = [*examples, *(Example("privacy_question", q, PRIVACY_QUESTIONS) for q in questions),
               *(Example(f"follow_up {kind}", line, FOLLOW_UPS) for kind, lines in kinds.items() for line in lines)]
    return [Problem("held-out line in training data", f"{e.text!r} ({e.intent}, {e.file}) is in {test_lines[e.key]}")
            for e in learned if e.key in test_lines]


def _personal_details(examples: list[Example]) -> list[Problem]:
    problems = []
    for example in examples:
        found = scrub(example.text).found
        if found:
            problems.append(Problem("personal details", f"{example.text!r} ({example.file}) has {', '.join(found)}"))
    return problems


def _banned_words(root: Path) -> list[Problem]:
    problems = []
    for path in sorted((root / "responses").glob("*.yml")):
        for name, variants in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}).items():
            for variant in variants:
                for text in [variant.get("text") or "", *(b["title"] for b in variant.get("buttons") or [])]:
                    for why in broken_rules(text):
                        problems.append(Problem("banned words", f"{path.name} {name}: {why}"))
    return problems


def _unsourced_resources(root: Path) -> list[Problem]:
    """Every claim the bot makes about a service needs somewhere a reviewer can check it."""
    known = {f.name for f in fields(Resource)} - {"for_"} | {"for"}
    entries = yaml.safe_load((root / "bot" / "data" / "resources.yml").read_text(encoding="utf-8"))["resources"]
    problems = []
    for entry in entries:
        name = f"{entry.get('service')} ({entry.get('region')})"
        if not str(entry.get("source") or "").strip():
            problems.append(Problem("resource without a source", f"{name} says where to find it nowhere"))
        for field in sorted(set(entry) - known):
            problems.append(Problem("resource field no reply reads", f"{name}: {field}"))
    return problems
