"""The flows as a young person meets them: real Rasa, real action server, filled-in replies."""

from __future__ import annotations

import json
import os
import signal

import httpx
import pytest
from cryptography.fernet import Fernet

from actions.flows import CHECK_IN_BELOW
from bot.conversation import RasaBridge
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore
from tests.support.databases import BACKENDS, fresh_database
from tests.support.net import Relay, descendants

pytestmark = pytest.mark.rasa

FIRST_MESSAGES = {
    "crisis": "i dont see the point in anything anymore i want it to end",
    "danger": "hes waiting outside my school right now and i dont want to go out",
    "sextortion": "this account says theyll send my nudes to my followers unless i pay",
    "pressure": "a guy i met on discord keeps asking me for pics of my body",
    "unsafe_contact": "some older guy on roblox keeps giving me robux and wants to move to snap",
    "image_shared": "my ex shared my private pic with his whole friend group",
    "legal_worry": "am i going to get arrested for sending a pic when i was 14",
    "friend": "my friend is being blackmailed with her pics and she is scared",
    "human": "i want to talk to a real person",
}


def _texts(result) -> list[str]:
    return [reply.text for reply in result.replies]


def _assert_filled(result) -> None:
    for text in _texts(result):
        assert "{" not in text and "None" not in text, text


@pytest.mark.parametrize("category", FIRST_MESSAGES)
async def test_every_first_reply_is_short_filled_in_and_never_blames(bridge, category):
    result = await bridge.send(f"flow-first-{category}", text=FIRST_MESSAGES[category])
    assert not result.failed
    assert 1 <= len(result.replies) <= 3
    _assert_filled(result)


async def test_crisis_line_comes_first_and_a_person_is_offered(bridge):
    result = await bridge.send("flow-crisis", text=FIRST_MESSAGES["crisis"])
    first, offer, *_ = result.replies
    assert "988" in first.text and "911" in first.text
    assert "/human" in [b.payload for b in offer.buttons]


async def test_danger_gives_the_emergency_number_in_the_first_sentence(bridge):
    result = await bridge.send("flow-danger", text=FIRST_MESSAGES["danger"])
    assert "911" in result.replies[0].text.split("\n")[0]


async def test_sextortion_steps_lines_and_branch_buttons(bridge):
    result = await bridge.send("flow-sextortion", text=FIRST_MESSAGES["sextortion"])
    steps, report, ask_country = result.replies
    assert "not your fault" in steps.text and "pay" in steps.text
    assert "1-800-843-5678" in report.text and "988" in report.text
    payloads = [b.payload for b in report.buttons]
    assert {"/sextortion_paid", "/image_shared", "/sextortion_fake", "/human"} <= set(payloads)
    assert "country" in ask_country.text  # region unknown: US lines, and an invitation

    save = await bridge.send("flow-sextortion", payload=payloads[0])  # "What do I save?"
    assert len(save.replies) == 3
    assert "screenshot" in save.replies[0].text and "pic itself" in save.replies[0].text
    assert "takeitdown.ncmec.org" in save.replies[2].text


async def test_choosing_a_country_mid_flow_gives_that_countrys_lines_from_then_on(bridge):
    sender = "flow-uk"
    await bridge.send(sender, text=FIRST_MESSAGES["sextortion"])
    local = await bridge.send(sender, payload=json_payload("choose_country", country="UK"))
    text = "\n".join(_texts(local))
    assert "CEOP" in text and "Childline" in text and "CyberTipline" not in text

    again = await bridge.send(sender, text=FIRST_MESSAGES["image_shared"])
    text = "\n".join(_texts(again))
    # Report Remove is the UK's own; Take It Down works worldwide, so the UK gets both.
    assert "childline.org.uk/remove" in text and "report.cybertip.org" not in text and "988" not in text
    assert not any("country" in t for t in _texts(again))  # asked once, answered


async def test_under_13s_get_the_simpler_variant(bridge):
    teen = await bridge.send("flow-teen", text=FIRST_MESSAGES["crisis"])
    await bridge.send("flow-child", payload=json_payload("choose_age_band", age_band="under_13"))
    child = await bridge.send("flow-child", text=FIRST_MESSAGES["crisis"])
    assert child.replies[0].text != teen.replies[0].text
    assert "988" in child.replies[0].text


async def test_start_promises_privacy_then_both_questions_can_be_skipped(bridge):
    start = await bridge.send("flow-start", payload="/start")
    promise, ask_age = start.replies
    assert "not a person" in promise.text and "/delete" in promise.text
    assert [b.title for b in ask_age.buttons] == ["Under 13", "13-15", "16-17", "18+", "Skip"]

    ask_country = await bridge.send("flow-start", payload="/skip")
    assert "Canada" in [b.title for b in ask_country.replies[0].buttons]

    done = await bridge.send("flow-start", payload="/skip")
    assert "/human" in [b.payload for r in done.replies for b in r.buttons]  # the menu


async def test_what_now_follows_the_flow(bridge):
    await bridge.send("flow-now", text=FIRST_MESSAGES["pressure"])
    now = await bridge.send("flow-now", text="ok what do i do now")
    assert "No. I don't send pics." in now.replies[0].text


async def test_two_misunderstandings_in_a_row_offer_a_person(bridge):
    first = await bridge.send("flow-lost", payload="/nlu_fallback")
    assert "/human" not in [b.payload for b in first.replies[0].buttons]
    second = await bridge.send("flow-lost", payload="/nlu_fallback")
    assert "/human" in [b.payload for b in second.replies[0].buttons]


async def test_not_understood_and_the_menu_after_it_carry_one_calm_crisis_line(bridge):
    lost = await bridge.send("flow-lost-line", payload="/nlu_fallback")
    assert "988" in lost.replies[0].text and "911" not in lost.replies[0].text
    menu = await bridge.send("flow-lost-line", payload="/ask_help_menu")
    assert "988" in menu.replies[0].text and "/human" in [b.payload for b in menu.replies[0].buttons]
    await bridge.send("flow-lost-uk", payload=json_payload("choose_country", country="UK"))
    uk = await bridge.send("flow-lost-uk", payload="/nlu_fallback")
    assert "0800 1111" in uk.replies[0].text and "988" not in uk.replies[0].text


async def test_an_act_under_way_gets_the_emergency_number_first_with_the_crisis_line(bridge):
    result = await bridge.send("flow-act", text="i took a whole bottle of my moms pills like 10 min ago")
    first = result.replies[0].text
    assert "911" in first.split(".")[0] and "988" in first
    _assert_filled(result)


@pytest.mark.parametrize("category, number, asked", [("crisis", "988", "Are you thinking about hurting yourself"),
                                                     ("danger", "911", "safe right now")])
async def test_an_unsure_guess_of_the_model_alone_is_asked_about_with_the_numbers(bridge, category, number, asked):
    unsure = await bridge.send(f"flow-unsure-{category}", payload=f"/{category}@{CHECK_IN_BELOW - 0.1:.2f}")
    question = unsure.replies[0]
    assert asked in question.text and number in question.text
    assert f"/{category}" in [b.payload for b in question.buttons]
    sure = await bridge.send(f"flow-sure-{category}", payload=f"/{category}@{CHECK_IN_BELOW + 0.05:.2f}")
    assert asked not in sure.replies[0].text and number in sure.replies[0].text


async def test_spanish_and_french_crisis_get_a_note_in_their_language_and_a_line_to_reach(bridge):
    spanish = await bridge.send("flow-es", text="no aguanto mas, me quiero morir")
    note, crisis, *_ = spanish.replies
    assert "inglés" in note.text and "988" in note.text and "en español" in note.text
    assert "988" in crisis.text
    await bridge.send("flow-fr", payload=json_payload("choose_country", country="CA"))
    french = await bridge.send("flow-fr", text="je veux mourir, je suis fatiguée de tout")
    assert "anglais" in french.replies[0].text and "Kids Help Phone" in french.replies[0].text
    assert "en français" in french.replies[0].text


def json_payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities)}"


async def test_delete_erases_the_conversation_and_the_choices_in_rasa(bridge, rasa_stack):
    sender = "flow-delete"
    await bridge.send(sender, payload=json_payload("choose_country", country="UK"))
    await bridge.send(sender, text=FIRST_MESSAGES["pressure"])

    erased = await bridge.send(sender, text="/delete")
    assert not erased.failed and "erased" in erased.replies[0].text

    async with httpx.AsyncClient(base_url=rasa_stack.settings.rasa_url) as client:
        tracker = (await client.get(f"/conversations/{sender}/tracker",
                                    params={"token": rasa_stack.auth_token, "include_events": "ALL"})).json()
    assert [e["event"] for e in tracker["events"]] == ["restart"]
    assert tracker["slots"]["country"] is None
    again = await bridge.send(sender, text=FIRST_MESSAGES["pressure"])
    assert "CyberTipline" in "\n".join(_texts(again))  # the UK choice is gone too


async def test_privacy_says_what_is_kept_in_plain_words(bridge):
    result = await bridge.send("flow-privacy", text="/privacy")
    assert not result.failed
    text = result.replies[0].text
    assert "don't save this chat" in text and "/delete" in text and "/exit" in text


@pytest.mark.parametrize("backend", BACKENDS)
async def test_delete_also_removes_every_database_row_about_them(rasa_stack, tmp_path, backend):
    with fresh_database(backend, tmp_path) as url:
        store = PrivacyStore(open_database(url), Fernet.generate_key().decode())
        bridge = RasaBridge(rasa_stack.settings.rasa_url, auth_token=rasa_stack.auth_token, store=store)
        sender = f"flow-delete-db-{backend}"
        try:
            store.record_consent(sender, "improve_bot", granted=True)
            store.keep(sender, "improve_bot", "kept with a yes")
            await bridge.send(sender, text=FIRST_MESSAGES["pressure"])
            erased = await bridge.send(sender, text="/delete")
        finally:
            await bridge.aclose()
        assert not erased.failed
        assert store.describe(sender).consents == {} and store.describe(sender).kept_messages == {}


@pytest.mark.parametrize("country, band, must_name", [
    ("UK", None, ["Childline", "0800 1111", "ceop.police.uk", "999", "I'm having trouble"]),
    ("DE", "under_13", ["findahelpline.com", "112", "I can't answer right now"]),
])
async def test_when_rasa_fails_a_young_person_keeps_the_lines_of_the_country_they_chose(
        rasa_stack, country, band, must_name):
    """Safety rule 3 for *their* region: the bridge remembers the country and age band from the
    turns Rasa answered, so a Rasa that then becomes unreachable does not make them a US user."""
    sender = f"flow-rasa-gone-{country}"
    async with Relay(rasa_stack.settings.rasa_port) as relay:
        bridge = RasaBridge(f"http://127.0.0.1:{relay.port}", timeout=rasa_stack.settings.rasa_reply_timeout,
                            auth_token=rasa_stack.auth_token)
        try:
            if band:
                await bridge.send(sender, payload=json_payload("choose_age_band", age_band=band))
            chosen = await bridge.send(sender, payload=json_payload("choose_country", country=country))
            assert not chosen.failed
            await bridge.settled()
            await relay.cut()
            result = await bridge.send(sender, text="he says he will post my pics tonight")
        finally:
            await bridge.aclose()
    assert result.failed and result.reason == "unreachable"
    for expected in must_name:
        assert expected in result.replies[0].text
    assert "988" not in result.replies[0].text and "911" not in result.replies[0].text


async def test_with_the_action_server_stopped_a_young_person_who_chose_the_uk_gets_childline_and_999(
        bridge, rasa_stack):
    """The right-help issue's own check: the action server stops answering (SIGSTOP, so the
    session's servers carry on afterwards) and the reply is the UK's, not the US default."""
    sender = "flow-actions-stopped"
    chosen = await bridge.send(sender, payload=json_payload("choose_country", country="UK"))
    assert not chosen.failed
    await bridge.settled()
    actions = next(c for c in rasa_stack.supervisor.children if c.spec.name == "actions")
    server = descendants(actions.pid)  # Sanic answers from worker processes
    for pid in server:
        os.kill(pid, signal.SIGSTOP)
    try:
        result = await bridge.send(sender, text="he says he will post my pics tonight")
    finally:
        for pid in server:
            os.kill(pid, signal.SIGCONT)
    assert result.failed
    text = result.replies[0].text
    assert "Childline" in text and "0800 1111" in text and "999" in text
    assert "988" not in text and "911" not in text


async def test_a_country_the_model_never_learned_is_still_understood_and_gets_its_number(bridge):
    sender = "flow-nigeria"
    await bridge.send(sender, text=FIRST_MESSAGES["sextortion"])
    local = await bridge.send(sender, text="i live in nigeria")
    text = "\n".join(_texts(local))
    assert "help for Nigeria" in text and "Call 199" in text and "report.cybertip.org" not in text
    asked = await bridge.send("flow-perth", text="perth")
    [question] = asked.replies
    assert {b.title for b in question.buttons} == {"UK", "Australia", "Somewhere else"}


async def test_the_end_of_a_flow_offers_a_way_on_never_the_menu_and_never_the_same_words_twice(bridge):
    sender = "flow-end"
    await bridge.send(sender, text=FIRST_MESSAGES["pressure"])
    await bridge.send(sender, text="ok what now")  # how to say no: the flow's last step
    end = await bridge.send(sender, text="what now")
    again = await bridge.send(sender, text="what now")
    assert "/human" in [b.payload for b in end.replies[0].buttons]
    assert "What can you help with" not in end.replies[0].text and "Here's what I can help with" not in end.replies[0].text
    assert again.replies[0].text != end.replies[0].text and len(again.replies[0].text) < len(end.replies[0].text)


async def test_after_danger_what_now_is_a_plan_not_coping_steps_for_self_harm(bridge):
    sender = "flow-danger-plan"
    await bridge.send(sender, text=FIRST_MESSAGES["danger"])
    plan = await bridge.send(sender, text="what do i do now")
    text = plan.replies[0].text
    # He is outside, now: a plan for where they are (a safe place, not going out to him, the
    # emergency number), not the plan for a meeting someone is arranging online.
    assert "don't go out to them" in text and "911" in text and "somewhere safe" in text
    assert "hurt yourself" not in text
