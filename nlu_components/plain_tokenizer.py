"""Whitespace tokens without the writer's style: lowercase, and no apostrophes.

Measured on 2026-12-02 (docs/nlu-evaluation.md): with Rasa's own WhitespaceTokenizer the
model read style, not meaning. "I want to kill myself." was small talk at confidence 1.00
while "i want to kill myself" was crisis, and "I'm in the UK" was small talk while "im in
the uk" chose a country, because the public everyday lines are written in sentence case with
apostrophes and most safety examples are typed the way young people type. Every featurizer
after this one (words, characters, word shapes, the sentence encoder) sees the same tokens
for both spellings, so only the words can decide.

Token offsets still point into the original text, so regexes and lookups keep working.
"""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety_net import APOSTROPHES

_NO_APOSTROPHES = str.maketrans("", "", APOSTROPHES)


def plain_words(tokens: List[Token], text: str) -> List[Token]:
    """Joins the pieces an apostrophe split ("I", "m" -> "im"; "can", "t" -> "cant"),
    lowercases every token and drops apostrophes left inside one."""
    joined: List[Token] = []
    for token in tokens:
        previous = joined[-1] if joined else None
        between = text[previous.end:token.start] if previous else ""
        if previous is not None and between and all(c in APOSTROPHES for c in between):
            joined[-1] = Token(previous.text + token.text, previous.start, end=token.end)
        else:
            joined.append(Token(token.text, token.start, end=token.end))
    for token in joined:
        token.text = token.text.translate(_NO_APOSTROPHES).lower()
        token.lemma = token.text
    return joined


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PlainWhitespaceTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:  # intents and action names keep their spelling
            return tokens
        return plain_words(tokens, message.get(attribute))
