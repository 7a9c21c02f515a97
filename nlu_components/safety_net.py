"""Rasa pipeline step that lets the crisis/danger lexicon overrule the model.

Placed after DIETClassifier and before FallbackClassifier: when a signal fires, the intent
becomes `crisis` or `danger` with confidence 1.0 (so the fallback never swallows it), and the
signal's id, whether it marks an act under way, its language (and the model's own guess) is added to the parse result as `safety_signal`, which the handoff card shows.
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

from bot.safety_net import SafetyNet

SIGNAL_KEY = "safety_signal"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNetClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    def __init__(self, net: SafetyNet) -> None:
        self.net = net

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNetClassifier":
        return cls(SafetyNet.from_file())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            match = self.net.check(text) if text else None
            if match is None:
                continue
            overruled = message.get(INTENT) or {}
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
