"""What every pipeline step trained on the sentence encoder's vector shares.

The second opinion, the privacy question and the follow-up kind are each a few logistic
regressions on the message's sentence vector (nlu_components/sentence_encoder.py), whose
weights are one .npz file in the model. This class keeps the Rasa plumbing for that in one
place: the featurizer it needs, its config, and writing and reading the weights.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Text, Type

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.plain_tokenizer import PlainWhitespaceTokenizer
from nlu_components.sentence_encoder import shared_encoder


def sentence_vector(message: Message) -> Optional[np.ndarray]:
    """The message's dense sentence features (the sentence encoder's vector), or None."""
    _, sentence = message.get_dense_features(TEXT)
    return None if sentence is None else np.asarray(sentence.features, dtype=np.float64).reshape(-1)


def encode_lines(lines: List[str]) -> np.ndarray:
    """Sentence vectors of lines a step learns from outside nlu/, made as the pipeline makes a
    message's: the encoder reads the tokenizer's words (lowercase, no apostrophes or
    punctuation), not the raw line."""
    tokenizer = PlainWhitespaceTokenizer(PlainWhitespaceTokenizer.get_default_config())
    words = [" ".join(t.text for t in tokenizer.tokenize(Message(data={TEXT: line}), TEXT)) or line
             for line in lines]
    return shared_encoder().encode(words).astype(np.float64)


def logistic(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max())
    return e / e.sum()


class SentenceVectorStep(GraphComponent, IntentClassifier):
    """A trained step on the sentence vector; subclasses name their weights file and are
    registered with DefaultV1Recipe themselves (this class is not a step on its own)."""

    weights_file: ClassVar[str]

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Optional[Dict[str, np.ndarray]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.weights = weights

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceVectorStep":
        return cls(config, model_storage, resource)

    def save(self, weights: Dict[str, np.ndarray]) -> Resource:
        """Keeps the trained weights, and writes them into the model."""
        self.weights = weights
        with self._model_storage.write_to(self._resource) as folder:
            np.savez(folder / self.weights_file, **weights)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SentenceVectorStep":
        with model_storage.read_from(resource) as folder:
            saved = np.load(folder / cls.weights_file)
            return cls(config, model_storage, resource, {k: saved[k] for k in saved.files})
