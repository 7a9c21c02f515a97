"""Every text the bot can send: no blame, no request for images, readable, only known numbers,
and no claim about a service that its own entry does not make."""

import pytest
from bot import resources
from bot.response_rules import MAX_GRADE, broken_rules, grade, unbacked_claims, unknown_contacts
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
