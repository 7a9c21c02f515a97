"""Whose secret a "tell" is (bot/confidentiality.py): a question whether this chat is private is
answered from the privacy wording; the young person's own plan or fear of telling someone, and
someone else's secret, never are ("I won't tell your parents" read as advice not to tell)."""

import pytest

from bot.confidentiality import friends_promise, someone_elses_secret


@pytest.mark.parametrize("text", [
    "should i tell my mom", "ill tell my brother tonight", "i cant tell my dad he'll kill me",
    "do i have to tell my parents", "im gonna tell my mum", "i told my sister", "how do i tell my dad",
    "ok i'll talk to my teacher tomorrow", "i just told my mom everything",
    "he said dont tell your parents", "she made me promise not to tell",
])
def test_their_own_telling_and_someone_elses_secret_are_not_questions_about_this_chat(text):
    assert someone_elses_secret(text)


@pytest.mark.parametrize("text", [
    "will u tell my mom", "r u gonna tell my parents", "is this private", "dont tell my mom",
    "if i tell u something do u have to pass it on", "can my parents see what i type here",
    "do u have to tell the police stuff", "are you going to tell my school",
])
def test_questions_whether_the_bot_tells_stay_questions_about_this_chat(text):
    assert not someone_elses_secret(text)


@pytest.mark.parametrize("text, promised", [
    ("she made me promise not to tell", True), ("i swore i wouldnt say anything", True),
    ("he said to keep it a secret", True), ("i pinky promised her i wont tell", True),
    ("my friend is being blackmailed", False), ("i promise im ok", False), ("is this a secret chat", False),
])
def test_a_friends_promise_is_read_from_the_words(text, promised):
    assert friends_promise(text) is promised
