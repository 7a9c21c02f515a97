"""The NLU training data as examples: read from nlu/*.yml, and reviewed lines added to it.

Rasa accepts two shapes for an intent's examples, a block of "- text" lines and a list of
{text, metadata}; maintainers write the first by hand, and `waypoint import-labeled` writes
the second to nlu/labeled.yml, with where each line came from in its metadata.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LABELED_FILE = "labeled.yml"
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # as written, entity markup included
    file: str

    @property
    def key(self) -> str:
        return normalise(self.text)


def normalise(text: str) -> str:
    """Two lines that differ only in case, spacing, end punctuation or entity markup are the same."""
    plain = _ENTITY.sub(lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"\s+", " ", plain).strip().lower().rstrip(".!?")


def _texts(examples: object) -> list[str]:
    if isinstance(examples, str):
        return [line.strip()[2:].strip() for line in examples.splitlines() if line.strip().startswith("- ")]
    return [str(item["text"]).strip() for item in examples or [] if isinstance(item, dict) and "text" in item]


def read_examples(nlu_dir: Path) -> list[Example]:
    found = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" in block:
                found += [Example(block["intent"], text, path.name) for text in _texts(block.get("examples"))]
    return found


CONVERSATION_MIN_WORDS = 4


def held_out(root: Path) -> dict[str, str]:
    """Every held-out test line (normalised) -> where it is: these must never be trained on.

    Besides tests/nlu/*.jsonl and the blind conversations in tests/conversations/, the dev and
    test halves of the external sets in ../shared (bot/external_eval.py), when that folder is
    beside the project."""
    from bot.external_eval import held_out_keys

    found = held_out_keys(root.parent / "shared" / "corpora")
    tests = root / "tests"
    for path in sorted([*(tests / "nlu").glob("*.jsonl"), *(tests / "conversations").glob("*.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"] if line.strip() else ""
            # A conversation's "hi", "ok" or "what now" is every writer's; only its sentences
            # (four words or more) are the writer's own.
            if text and (path.parent.name == "nlu" or len(text.split()) >= CONVERSATION_MIN_WORDS):
                found[normalise(text)] = path.name
    return found


def add_labeled(nlu_dir: Path, additions: list[tuple[str, str, str]]) -> None:
    """Appends (intent, text, source) to nlu/labeled.yml, one list of examples per intent."""
    path = nlu_dir / LABELED_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    data = data or {"version": "3.1", "nlu": []}
    blocks = {block["intent"]: block for block in data["nlu"]}
    for intent, text, source in additions:
        block = blocks.get(intent)
        if block is None:
            block = blocks[intent] = {"intent": intent, "examples": []}
            data["nlu"].append(block)
        block["examples"].append({"text": text, "metadata": {"source": source}})
    header = ("# Reviewed lines from young people who agreed to help improve the bot, scrubbed of\n"
              "# personal details, added by `waypoint import-labeled` (docs/maintainers.md).\n"
              "# Each example's metadata says which file and line it came from.\n")
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
