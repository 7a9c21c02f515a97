"""A second opinion from the sentence encoder alone, weighed against DIET's guess.

DIET reads words as well as meaning, and on text unlike its training lines it can be sure of
the wrong thing: on the external dev halves (2026-12-05) most of its false alarms were above
0.9 ("I swear they're easier than regular coursework" as an unsafe contact at 1.00), and one
training run differs from the next by more than the gate's margin. Logistic regressions on
the encoder's sentence vector, trained on the same examples, are weaker alone but smoother
(they have no words to latch on to) and the same on every run. Two of them:
- by category: its probabilities are averaged with DIET's (summed per category), and where
  the average picks another category than DIET did, the message is answered as that one;
- safety or not: where it is sure a message is everyday (`below`), a safety guess other than
  crisis or danger is not answered as a safety matter. The intent becomes the fallback,
  whose reply asks them to say more and still carries the crisis line and the menu.

What it never overrules:
- the safety lexicon and the grooming cues: SafetyNetClassifier runs after this step and
  decides over it (a vetoed guess counts as unclaimed, so a grooming cue may still lift it);
- the categories in `model_decides`, either way: asking for a person is answered whatever
  the wording, and only DIET tells it from asking whether the bot is a person ("r u a real
  person or a bot" moved to asking for a person when the opinion could move it there);
- a crisis or danger guess (`ask_instead`): a disclosure in words the encoder has not seen
  can look everyday to it ("nothing is ever gonna get better so why even bother" scored
  0.09), so where the opinion disagrees the guess stands and the decision is `asked`: the
  crisis and danger actions then ask ("Are you safe right now?") with the numbers instead of
  asserting. A crisis or danger category the average brings in from elsewhere has less than
  DIET's confidence, so it is asked about too (actions/flows.py, CHECK_IN_BELOW).

The weight, the threshold and C come from the dev halves (docs/nlu-evaluation.md). The decision is
added to the parse result as `second_opinion` (DIET's intent, the category chosen, the
probability of a safety matter, and `kept`, `asked`, `switched` or `vetoed`), so a sweep can
read it and the crisis and danger actions can ask rather than tell.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.categories import FALLBACK_INTENT, categories, category_of
from nlu_components.vector_step import SentenceVectorStep, logistic, sentence_vector, softmax

OPINION_KEY = "second_opinion"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(SentenceVectorStep):
    weights_file = "second_opinion.npz"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"model_weight": 0.5, "below": 0.1, "C": 10.0,
                "model_decides": ["human"], "ask_instead": ["crisis", "danger"]}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Dict[str, np.ndarray] | None = None) -> None:
        super().__init__(config, model_storage, resource, weights)
        self.categories = list(categories())

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        for example in training_data.intent_examples:
            vector = sentence_vector(example)
            if vector is not None:
                rows.append(vector)
                labels.append(category_of(example.get(INTENT)))
        missing = set(self.categories) - set(labels)
        if missing:
            raise ValueError(f"SecondOpinion needs examples with sentence features of every category "
                             f"(put SentenceEncoderFeaturizer before it); none for {sorted(missing)}")
        X, y = np.vstack(rows), np.array(labels)

        def fit(target: np.ndarray) -> LogisticRegression:
            # Balanced: the everyday lines outnumber any safety category, and the opinion must
            # not learn that unknown means everyday.
            return LogisticRegression(C=float(self.config["C"]), class_weight="balanced", max_iter=5000).fit(X, target)

        by_category = fit(y)
        order = [list(by_category.classes_).index(c) for c in self.categories]
        safety = fit(y != "other")
        return self.save({"category_w": by_category.coef_[order], "category_b": by_category.intercept_[order],
                          "safety_w": safety.coef_[0], "safety_b": safety.intercept_})

    def opinion(self, vector: np.ndarray) -> tuple[np.ndarray, float]:
        """(probability per category, probability that it is a safety matter at all)."""
        w = self.weights
        by_category = softmax(w["category_w"] @ vector + w["category_b"])
        safety = logistic(vector @ w["safety_w"] + w["safety_b"][0])
        return by_category, safety

    def _model_probabilities(self, ranking: List[Dict[str, Any]], guess: Dict[str, Any]) -> np.ndarray:
        """DIET's ranking summed per category (its intents split some categories)."""
        p = np.zeros(len(self.categories))
        for entry in ranking or [guess]:
            if entry.get("name") and entry["name"] != FALLBACK_INTENT:
                p[self.categories.index(category_of(entry["name"]))] += entry.get("confidence") or 0.0
        return p / p.sum() if p.sum() > 0 else p

    def _decide(self, model: str, mixed: str, p_safety: float) -> str:
        """kept, asked, switched (to `mixed`) or vetoed (to the fallback)."""
        if model in self.config["model_decides"]:
            return "kept"
        if mixed in self.config["model_decides"]:
            mixed = model
        everyday = p_safety < float(self.config["below"])
        if model in self.config["ask_instead"]:
            return "asked" if mixed != model or everyday else "kept"
        if mixed == model:
            return "vetoed" if model != "other" and everyday else "kept"
        if mixed == "other":
            return "vetoed"
        if mixed in self.config["ask_instead"] or not everyday:
            return "switched"
        return "kept" if model == "other" else "vetoed"

    def process(self, messages: List[Message]) -> List[Message]:
        if self.weights is None:
            return messages
        for message in messages:
            vector = sentence_vector(message)
            guess = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            if vector is None or not guess.get("name"):
                continue
            model = category_of(guess["name"])
            by_category, p_safety = self.opinion(vector)
            weight = float(self.config["model_weight"])
            mixed_p = weight * self._model_probabilities(ranking, guess) + (1 - weight) * by_category
            mixed = self.categories[int(np.argmax(mixed_p))]
            if model == "other" and mixed == "other":
                continue
            decision = self._decide(model, mixed, p_safety)
            message.set(OPINION_KEY, {"model_intent": guess["name"], "category": mixed, "p_safety": round(p_safety, 4),
                                      "decision": decision}, add_to_output=True)
            if decision == "vetoed":
                fallback = {"name": FALLBACK_INTENT, "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
            elif decision == "switched":
                # The model's best intent in the chosen category (categories name their main
                # intent), and a ranking by the averaged probabilities.
                intent = next((r["name"] for r in ranking if category_of(r.get("name")) == mixed), mixed)
                mixed_ranking = sorted(({"name": intent if c == mixed else c, "confidence": float(p)}
                                        for c, p in zip(self.categories, mixed_p) if c != "other"),
                                       key=lambda r: -r["confidence"])
                message.set(INTENT, mixed_ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, mixed_ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
