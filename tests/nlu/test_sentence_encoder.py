"""The sentence encoder inside the pipeline gives what all-MiniLM-L6-v2 gives, from weights on disk.

It runs in the Rasa environment (TensorFlow is there), so the checks run as a script there:
the vectors match transformers' own BERT on the same weights, they are unit length, and a
paraphrase in other words lands nearer than an unrelated line.
"""

from __future__ import annotations

from tests.support.rasa_script import run_in_rasa_env

SCRIPT = r"""
import json, numpy as np, tensorflow as tf
from transformers import TFBertModel
from nlu_components.sentence_encoder import model_dir, shared_encoder
texts = ["i swallowed a lot of tablets", "i took loads of pills", "what time does the cinema open",
         "he says he will post my pics unless i pay"]
ours = shared_encoder().encode(texts)
reference = TFBertModel.from_pretrained(str(model_dir()))
agreement = []
for text, vector in zip(texts, ours):
    e = shared_encoder().tokenizer.encode(text)
    hidden = reference(input_ids=tf.constant([e.ids]), attention_mask=tf.constant([e.attention_mask])).last_hidden_state
    ref = hidden.numpy()[0].mean(0)
    agreement.append(float(ref @ vector / np.linalg.norm(ref)))
print(json.dumps({"agreement": agreement, "norms": np.linalg.norm(ours, axis=1).tolist(),
                  "similarity": (ours @ ours.T).tolist()}))
"""


def test_encoder_matches_the_reference_model_and_places_paraphrases_close():
    result = run_in_rasa_env(SCRIPT)
    assert min(result["agreement"]) > 0.9999
    assert all(abs(n - 1) < 1e-4 for n in result["norms"])
    similarity = result["similarity"]
    assert similarity[0][1] > 0.5 > max(similarity[0][2], similarity[0][3])
