"""Short turns: a long answer is sent as two short messages, or the rest is one tap away
(the size of each message is checked in tests/test_response_rules.py). Run with rasa-sdk's
own Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.flows import MAX_BUBBLES, STEPS, HelpMenu, ImageSharedHelp, NextStep
from actions.profile import ActionSkip
from bot import resources
from bot.config import PROJECT_ROOT
from tests.support.replies import COUNTRIES
from tests.support.tracker import fresh_tracker


def _run(action, slots: dict, entities: list[dict] | None = None) -> list[str]:
    tracker = fresh_tracker({"country": None, "age_band": None, "flow": None, "country_offered": None, **slots},
                            {"text": "", "intent": {}, "entities": entities or []})
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [m.get("response") for m in dispatcher.messages]


def _step(step: str, region: str | None) -> list[str]:
    return _run(NextStep(), {"country": region, "country_offered": True}, [{"entity": "step", "value": step}])


@pytest.mark.parametrize("region", COUNTRIES)
def test_each_turn_is_at_most_three_messages_and_save_four_where_there_are_two_removal_tools(region):
    two_tools = len(resources.resources_for(region, "removal")) > 1
    for step in STEPS:
        sent = _step(step, region)
        assert 1 <= len(sent) <= (MAX_BUBBLES + 1 if step == "save" and two_tools else MAX_BUBBLES), (step, sent)


def test_a_second_removal_tool_gets_its_own_message_and_no_region_gets_an_empty_one():
    assert _step("save", "UK") == ["utter_save_evidence", "utter_tell_adult", "utter_take_it_down", "utter_removal_more"]
    assert _step("save", "US") == ["utter_save_evidence", "utter_tell_adult", "utter_take_it_down"]
    assert _step("image_shared", "CA") == ["utter_image_shared", "utter_removal_more", "utter_image_shared_next"]


def test_a_first_turn_still_asks_the_country_where_it_is_unknown():
    sent = _run(ImageSharedHelp(), {})
    assert sent == ["utter_image_shared", "utter_image_shared_next", "utter_ask_country"]


def test_the_menu_is_two_messages():
    assert _run(HelpMenu(), {}) == ["utter_help_menu", "utter_help_menu_more"]


def test_the_country_question_on_its_own_has_a_skip_button_and_at_the_end_of_a_flow_not():
    assert _run(ActionSkip(), {}) == ["utter_ask_country", "utter_ask_country_skip"]
    assert _run(ImageSharedHelp(), {})[-1] == "utter_ask_country"


def test_after_danger_or_a_legal_worry_no_button_leads_to_self_harm_coping_steps():
    # The conversation review: after "come alone tonight", "what now" gave self-harm coping steps.
    domain = {name: variants for file in ("crisis.yml", "safety.yml")
              for name, variants in yaml.safe_load((PROJECT_ROOT / "responses" / file).read_text(encoding="utf-8"))["responses"].items()}
    for name in (*STEPS["danger"], *STEPS["legal_worry"]):
        for variant in domain[name]:
            payloads = [b["payload"] for b in variant.get("buttons", [])]
            assert not any("crisis_now" in p for p in payloads), (name, payloads)
    [talk] = {tuple(b["payload"] for b in v["buttons"]) for v in domain["utter_danger_talk"]}
    assert '/next_step{{"step":"danger_plan"}}' in talk
