"""Rasa pipeline step: what kind of follow-up a message is ("he said i have till 10pm": a
deadline; "i dont have any money", "i already blocked him", "hello??", "ur useless").

Learned from the sentence encoder's vector: one logistic regression over the kinds in
bot/data/follow_ups.yml, with that file's "none" lines and every example in nlu/ as "none".
A kind is marked where its probability is at least `at_least` (chosen on another writer's dev
half, tests/nlu/follow_ups_dev.jsonl; docs/nlu-evaluation.md, 2026-12-06, follow-ups).

It only marks (`follow_up` in the parse result, with the kind and its probability) and never
changes the intent: whether the kind matters is the dialogue's call, in the flow the young
person is in (actions/follow_ups.py). Not intents of DIET's, for the reason the privacy
question is not: a new intent and rule change what DIET learns.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Text

import numpy as np
import yaml

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import PROJECT_ROOT
from nlu_components.vector_step import SentenceVectorStep, encode_lines, sentence_vector, softmax

KEY = "follow_up"
NONE = "none"
FOLLOW_UPS_FILE = PROJECT_ROOT / "bot" / "data" / "follow_ups.yml"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FollowUpClassifier(SentenceVectorStep):
    weights_file = "follow_up.npz"

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # Read from a file, not given by the graph: retrain when the lines change.
        return hashlib.sha256(FOLLOW_UPS_FILE.read_bytes()).hexdigest()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"at_least": 0.6, "C": 10.0}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        kinds = yaml.safe_load(FOLLOW_UPS_FILE.read_text(encoding="utf-8"))["kinds"]
        texts = [line for lines in kinds.values() for line in lines]
        labels = [kind for kind, lines in kinds.items() for _ in lines]
        everyday = [v for v in map(sentence_vector, training_data.intent_examples) if v is not None]
        X = np.vstack([encode_lines(texts), *everyday])
        y = np.array(labels + [NONE] * len(everyday))
        fitted = LogisticRegression(C=float(self.config["C"]), class_weight="balanced", max_iter=5000).fit(X, y)
        return self.save({"w": fitted.coef_, "b": fitted.intercept_, "kinds": fitted.classes_.astype(str)})

    def kind(self, vector: np.ndarray) -> tuple[str, float]:
        p = softmax(self.weights["w"] @ vector + self.weights["b"])
        best = int(p.argmax())
        return str(self.weights["kinds"][best]), float(p[best])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            vector = sentence_vector(message)
            if not text or text.startswith("/") or vector is None:
                continue
            kind, probability = self.kind(vector)
            if kind != NONE and probability >= self.config["at_least"]:
                message.set(KEY, {"kind": kind, "confidence": round(probability, 3)}, add_to_output=True)
        return messages
