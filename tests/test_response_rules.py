"""Every text the bot can send: no blame, no request for images, readable, only known numbers."""

import pytest
from bot.response_rules import MAX_GRADE, broken_rules, grade, unknown_contacts
from tests.support.replies import all_bot_texts

TEXTS = all_bot_texts()


def test_every_action_and_response_was_collected():
    sources = " ".join(t.source for t in TEXTS)
    for expected in ("utter_crisis", "utter_sextortion_report", "utter_privacy_promise",
                     "action_set_country", "utter_greet", "never-silent"):
        assert expected in sources


@pytest.mark.parametrize("item", TEXTS, ids=lambda t: t.source)
def test_no_blame_and_no_request_for_images(item):
    assert broken_rules(item.text) == []


@pytest.mark.parametrize("item", TEXTS, ids=lambda t: t.source)
def test_every_number_and_address_is_in_the_resources_file(item):
    assert unknown_contacts(item.text) == []


@pytest.mark.parametrize("item", TEXTS, ids=lambda t: t.source)
def test_reading_level(item):
    if len(item.text.split()) < 4:
        pytest.skip("a button title or one-word reply: the formula means nothing there")
    if item.language != "en":
        pytest.skip("Spanish or French: the reading-level formula is for English")
    limit = MAX_GRADE.get(item.age_band or "default", MAX_GRADE["default"])
    assert grade(item.text) <= limit


# The checks themselves: each must catch what it exists for.
@pytest.mark.parametrize("text", [
    "Why did you send it to him?",
    "You shouldn't have accepted the request.",
    "That was your fault.",
    "What were you thinking?",
    "Your parents might take your phone away.",
    "Send me the photo so I can check it.",
    "Take a screenshot of the nude as proof.",
])
def test_rules_catch_blame_and_image_requests(text):
    assert broken_rules(text)


@pytest.mark.parametrize("text", [
    "This is not your fault.",
    "It's not your fault, and you are not in trouble.",
    "Screenshot the chat and the username, but don't take a screenshot of the nude itself.",
])
def test_rules_allow_what_the_bot_must_say(text):
    assert broken_rules(text) == []


def test_contact_check_catches_a_number_that_is_not_in_the_resources_file():
    assert unknown_contacts("Call 1-800-555-0199 or visit helpme.example.org") == ["1-800-555-0199", "helpme.example.org"]
    assert unknown_contacts("Call 988, text HOME to 741741, or go to report.cybertip.org") == []
    assert unknown_contacts("Call 1-800-843-5678 (1-800-THE-LOST)") == []
    assert unknown_contacts("13-15") == []  # an age button
