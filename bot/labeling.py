"""From messages young people agreed to share (consent b) to reviewed training data.

`export-for-labeling` decrypts what is kept under "improve the bot", scrubs personal details
out of it (bot/scrubber.py), asks the running model for its guess, and writes JSON lines a
reviewer fills in. `import-labeled` merges the reviewed lines into nlu/labeled.yml: only
known intents, never a line already in the training data or in a held-out test set, never
a line that still shows personal details, each with where it came from.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.categories import intents
from bot.classify import Classifier, read_jsonl
from bot.nlu_data import add_labeled, held_out, normalise, read_examples
from bot.scrubber import scrub
from bot.store.privacy import PrivacyStore

SKIP_LABELS = ("", "skip")


@dataclass
class Exported:
    lines: int = 0
    scrubbed: Counter = field(default_factory=Counter)


async def export_for_labeling(store: PrivacyStore, classifier: Classifier, out: Path) -> Exported:
    exported = Exported()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Scrubbed, but still young people's words: readable by the file's owner only.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        for text in store.all_kept_texts("improve_bot"):
            scrubbed = scrub(text)
            guess = await classifier.classify(scrubbed.text)
            fh.write(json.dumps({
                "text": scrubbed.text, "suggested_intent": guess.intent, "suggested_category": guess.category,
                "confidence": round(guess.confidence, 3), "signal": guess.signal,
                "scrubbed": dict(scrubbed.found), "label": None,
            }, ensure_ascii=False) + "\n")
            exported.lines += 1
            exported.scrubbed.update(scrubbed.found)
    return exported


@dataclass
class Imported:
    added: list[tuple[str, str]] = field(default_factory=list)  # (intent, text)
    already_known: int = 0
    not_labelled: int = 0
    problems: list[str] = field(default_factory=list)


def import_labeled(path: Path, root: Path, today: date | None = None) -> Imported:
    result = Imported()
    known = {e.key: e.intent for e in read_examples(root / "nlu")}
    test_lines = held_out(root)
    valid = intents()
    additions = []
    stamp = (today or date.today()).isoformat()
    with path.open(encoding="utf-8") as fh:
        for number, item in read_jsonl(fh, ("text",)):
            if isinstance(item, str):
                result.problems.append(item)
                continue
            raw = item.get("label")
            label = (raw or "").strip() if isinstance(raw, (str, type(None))) else repr(raw)
            text = str(item["text"]).strip()
            key = normalise(text)
            if label in SKIP_LABELS:
                result.not_labelled += 1
            elif label not in valid:
                result.problems.append(f"line {number}: {label!r} is not an intent; use one of: {', '.join(sorted(valid))}")
            elif not key or text.startswith("/"):
                result.problems.append(f"line {number}: the text is empty or starts with '/'")
            elif scrub(text).found:
                found = ", ".join(scrub(text).found)
                result.problems.append(f"line {number}: still shows personal details ({found}); edit them out")
            elif key in test_lines:
                result.problems.append(f"line {number}: this line is in the held-out set {test_lines[key]}; "
                                       "training on it would make the evaluation lie")
            elif key in known:
                result.already_known += 1
                if known[key] != label:
                    result.problems.append(f"line {number}: already in the training data as {known[key]}, "
                                           f"not {label}; left as it is")
            else:
                known[key] = label
                additions.append((label, text, f"{path.name} line {number}, imported {stamp}"))
                result.added.append((label, text))
    if additions:
        add_labeled(root / "nlu", additions)
    return result
