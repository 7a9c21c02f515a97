"""Every text the bot can send: no blame, no request for images, readable, only known numbers,
no claim about a service that its own entry does not make, and every message short."""

import pytest
from bot import resources
from bot.response_rules import (MAX_GRADE, broken_rules, grade, message_size, oversized, unbacked_claims,
                                unknown_contacts, word_count)
from tests.support.replies import all_bot_messages, all_bot_texts

TEXTS = all_bot_texts()
MESSAGES = all_bot_messages()
# Messages built outside responses/ and actions/ that are still longer than a message may be:
# expected failures until each is split, so the debt shows in every run. Source -> where it is.
NOT_YET_SHORT: dict[str, str] = {}


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


def test_every_message_was_collected_whole():
    sources = " ".join(m.source for m in MESSAGES)
    for expected in ("utter_help_menu", "utter_crisis (", "utter_sextortion_report", "action action_set_country",
                     "never-silent", "privacy reply", "handoff reply", "canned reply"):
        assert expected in sources
    menu = next(m for m in MESSAGES if m.source.startswith("conversation.yml:utter_help_menu ("))
    assert "{" not in menu.text and "Talk to a person" in menu.buttons
    assert any(m.buttons for m in MESSAGES if m.source.startswith("action "))  # "which country do you mean?"


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.source)
def test_each_message_is_short(message):
    """One message as received (for every region): at most message_size's words and buttons."""
    problems = oversized(message.text, message.buttons)
    where = next((w for prefix, w in NOT_YET_SHORT.items() if message.source.startswith(prefix)), None)
    if problems and where:
        pytest.xfail(f"not yet split ({where}): {', '.join(problems)}")
    assert problems == [], f"{message.text!r}: {message_size().why}"


def test_size_check_catches_a_long_message_and_six_buttons():
    size = message_size()
    assert (size.max_words, size.max_buttons) == (60, 5) and size.why
    sixty_one = "You can talk to someone now. " * 10 + "Okay?"
    assert word_count(sixty_one) == 61 and oversized(sixty_one)
    assert oversized(sixty_one.removesuffix(" Okay?")) == []
    assert oversized("What is going on?", ["One", "Two", "Three", "Four", "Five", "Six"])
    assert oversized("What is going on?", ["One", "Two", "Three", "Four", "Five"]) == []


def test_a_number_is_one_word_and_a_list_dash_is_none():
    assert word_count("Kids Helpline: call 1800 55 1800 or chat at kidshelpline.com.au.") == 8
    assert word_count("- Tell someone.\n- Breathe in slowly.") == 5
    assert word_count("988 Suicide & Crisis Lifeline: call 988 or text 988.") == 9


@pytest.mark.parametrize("item", TEXTS, ids=lambda t: t.source)
def test_claims_about_a_service_are_made_only_in_its_own_line(item):
    assert unbacked_claims(item.text) == []


@pytest.mark.parametrize("text", [
    "You can report them, and you don't have to give your name.\nCEOP Safety Centre: ceop.police.uk.",
    "You can report without your name:",
    "You can talk to someone any time, day or night.",
    "You can call or text:",
    "You can get it taken down:",
    "A private pic can often be taken down.",
])
def test_claim_check_catches_shared_wording_that_promises_for_every_service(text):
    assert unbacked_claims(text)


def test_claim_check_lets_a_service_say_what_its_own_entry_backs():
    tip_line = next(r for r in resources.all_resources() if r.service == "NCMEC CyberTipline")
    assert "give your name" in tip_line.line()
    assert unbacked_claims(f"You can report them here.\n{tip_line.line()}") == []
    assert unbacked_claims("Take care. You can come back any time. You can end this chat any time.") == []


def test_services_that_cannot_take_reports_without_a_name_never_say_they_can():
    """CEOP and the ACCCE (safety-facts.md §5b): their entries say so, and their lines do not
    promise it; the check above keeps shared wording from promising it for them."""
    not_anonymous = {r.service: r for r in resources.all_resources() if r.anonymous is False}
    assert set(not_anonymous) >= {"CEOP Safety Centre", "ACCCE"}
    for resource in not_anonymous.values():
        assert "give your name" not in resource.line()
