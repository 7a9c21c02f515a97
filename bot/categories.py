"""Which of the ten safety categories an intent belongs to (data/categories.yml).

Flows, metrics, the handoff queue and evaluation all speak in categories, not intents, so
intents can be split or merged without changing what the rest of the system sees.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

CATEGORIES_FILE = Path(__file__).parent / "data" / "categories.yml"
# Rasa's own intent when the model is unsure: answered with the help menu.
FALLBACK_INTENT = "nlu_fallback"


@lru_cache(maxsize=1)
def _contract() -> tuple[tuple[str, ...], dict[str, str]]:
    data = yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))
    categories = tuple(data["categories"])
    intents = dict(data["intents"])
    unknown = {c for c in intents.values() if c not in categories}
    if unknown:
        raise ValueError(f"categories.yml maps intents to unknown categories: {sorted(unknown)}")
    return categories, intents


def categories() -> tuple[str, ...]:
    return _contract()[0]


def intents() -> dict[str, str]:
    return dict(_contract()[1])


def category_of(intent: str | None) -> str:
    if intent is None or intent == FALLBACK_INTENT:
        return "other"
    try:
        return _contract()[1][intent]
    except KeyError:
        raise KeyError(f"intent {intent!r} is not in {CATEGORIES_FILE.name}") from None


def risk_order(category: str) -> int:
    """Lower is more urgent: a category's place in the precedence order (crisis first)."""
    order = categories()
    return order.index(category) if category in order else len(order)
