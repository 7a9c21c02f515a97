"""Rasa pipeline step: marks a message that asks whether this chat is private.

"Will you tell my mom?", "is this anonymous?", "can the police see this?". Learned from the
sentence encoder's vector: a logistic regression on the questions in
bot/data/privacy_questions.yml against every example in nlu/ (none of which asks it). Not an
intent of DIET's: taught to DIET, the same lines moved everyday messages into safety
categories; and not patterns alone: patterns written from those lines caught 6 of the same
writer's 30 held-out questions (docs/nlu-evaluation.md, 2026-12-06). The patterns in
bot/confidentiality.py still say which messages are someone else's secret (a groomer's
"don't tell your parents", a friend's promise) and are never marked.

After the safety net, whose signals (crisis, danger, a groomer's words) stand: crisis and
danger answer the question after their lines. A marked message gets `privacy_question` (with
the model's top guesses): the flow that answers it says first what happens to what they
write; asked with no topic the model stands behind, it goes down the not-understood rule,
whose action answers it (actions/fallback.py).
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Text

import numpy as np
import yaml

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.categories import category_of
from bot.config import PROJECT_ROOT
from bot.confidentiality import someone_elses_secret
from nlu_components.safety_net import SIGNAL_KEY
from nlu_components.vector_step import SentenceVectorStep, encode_lines, logistic, sentence_vector

FLAG = "privacy_question"
# Asked with no topic: the not-understood rule, whose action answers it (actions/fallback.py).
NO_TOPIC = "nlu_fallback"
QUESTIONS_FILE = PROJECT_ROOT / "bot" / "data" / "privacy_questions.yml"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class PrivacyQuestionClassifier(SentenceVectorStep):
    weights_file = "privacy_question.npz"

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # The questions are read from a file, not given by the graph: without this, Rasa's
        # cache would keep the regression of the questions as they were when it first trained.
        # "plain words": since 2026-12-06 the questions are encoded as messages are (vector_step).
        return hashlib.sha256(QUESTIONS_FILE.read_bytes() + b"plain words").hexdigest()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # at_least: the regression's probability that marks a question; topic_at_least: the
        # FallbackClassifier's threshold (below it the model saw no topic it stands behind).
        return {"at_least": 0.5, "topic_at_least": 0.3, "C": 10.0}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        others = [v for v in map(sentence_vector, training_data.intent_examples) if v is not None]
        questions = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]
        asked = encode_lines(questions)
        X = np.vstack([*others, asked])
        y = np.array([0] * len(others) + [1] * len(asked))
        fitted = LogisticRegression(C=float(self.config["C"]), class_weight="balanced", max_iter=5000).fit(X, y)
        return self.save({"w": fitted.coef_[0], "b": fitted.intercept_})

    def probability(self, vector: np.ndarray) -> float:
        return logistic(vector @ self.weights["w"] + self.weights["b"][0])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            vector = sentence_vector(message)
            if (not text or text.startswith("/") or vector is None
                    or self.probability(vector) < self.config["at_least"] or someone_elses_secret(text)):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(FLAG, {"model_ranking": [{"name": r.get("name"), "confidence": r.get("confidence")}
                                                 for r in ranking[:3]]}, add_to_output=True)
            guess = message.get(INTENT) or {}
            if message.get(SIGNAL_KEY):
                continue  # the safety net's answer stands; crisis and danger answer it after their lines
            if category_of(guess.get("name")) == "other" or (guess.get("confidence") or 0.0) < self.config["topic_at_least"]:
                # The ranking is the decision alone, as the safety net leaves it.
                intent = {"name": NO_TOPIC, "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
