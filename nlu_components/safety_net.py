"""Rasa pipeline step that lets the crisis/danger lexicon overrule the model.

Placed after DIETClassifier and before FallbackClassifier: when a signal fires, the intent
becomes `crisis` or `danger` with confidence 1.0 (so the fallback never swallows it), and the
signal's id, whether it marks an act under way, its language (and the model's own guess) is
added to the parse result as `safety_signal`, which the handoff card shows.

When no such signal fires and the model left the message in category other (small talk), or
FallbackClassifier would call it not understood, the grooming cues (bot/data/grooming_cues.yml) may lift it to
`unsafe_contact` the same way: words a groomer uses, pasted or retold, should get the warning
signs and how to report, not "I'm not sure I understood". They never overrule a safety
category the model is sure enough of to answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.categories import category_of
from bot.safety_net import GROOMING, GROOMING_FILE, SafetyNet

SIGNAL_KEY = "safety_signal"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNetClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The FallbackClassifier's threshold in config.yml: below it, a guess is not an answer.
        return {"grooming_cues_below": 0.3, "grooming_cues_ambiguity": 0.1}

    def __init__(self, net: SafetyNet, cues: SafetyNet, lift_below: float = 0.3, ambiguity: float = 0.1) -> None:
        self.net = net
        self.cues = cues
        self.lift_below = lift_below
        self.ambiguity = ambiguity

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNetClassifier":
        return cls(SafetyNet.from_file(), SafetyNet.from_file(GROOMING_FILE, GROOMING),
                   float(config.get("grooming_cues_below", 0.3)), float(config.get("grooming_cues_ambiguity", 0.1)))

    def _unclaimed(self, guess: Dict[Text, Any], ranking: List[Dict[Text, Any]]) -> bool:
        """No safety category the model stands behind: it said other, or FallbackClassifier
        would answer "not sure I understood" (top guess below its threshold, or the top two
        closer than its ambiguity threshold)."""
        if category_of(guess.get("name")) == "other":
            return True
        top = [r.get("confidence") or 0.0 for r in ranking[:2]] or [guess.get("confidence") or 0.0]
        return top[0] < self.lift_below or (len(top) == 2 and top[0] - top[1] < self.ambiguity)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            overruled = message.get(INTENT) or {}
            match = self.net.check(text)
            if match is None and self._unclaimed(overruled, message.get(INTENT_RANKING_KEY) or []):
                match = self.cues.check(text)
            if match is None:
                continue
            intent = {"name": match.category, "confidence": 1.0}
            # The model's ranking no longer describes the decision; keeping it would let
            # FallbackClassifier's ambiguity check (top two too close) swallow the signal.
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            message.set(
                SIGNAL_KEY,
                {
                    "id": match.signal,
                    "category": match.category,
                    # An act done or under way, and the language the signal's words are in:
                    # the crisis and danger actions choose their first reply from these.
                    "emergency": match.emergency,
                    "language": match.language,
                    "model_intent": overruled.get("name"),
                    "model_confidence": overruled.get("confidence"),
                },
                add_to_output=True,
            )
        return messages
