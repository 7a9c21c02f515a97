"""Every flow and branch as a conversation: `rasa test core --e2e` on tests/stories/.

The stories start from what a young person types, so the NLU model and the dialogue rules
are checked together. Also checked here: the shape that keeps the never-silent promise
(each safety turn is one custom action) and that no flow is left without a test story.
"""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from actions.flows import STEPS
from bot import model
from bot.categories import category_of
from bot.config import PROJECT_ROOT

STORIES = PROJECT_ROOT / "tests" / "stories"
RULES = yaml.safe_load((PROJECT_ROOT / "stories" / "rules.yml").read_text())["rules"]


def _test_stories() -> list[dict]:
    return [s for path in sorted(STORIES.glob("test_*.yml")) for s in yaml.safe_load(path.read_text())["stories"]]


@pytest.mark.rasa
def test_every_story_passes_end_to_end(tmp_path):
    run = subprocess.run(
        [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"), "test", "core", "--e2e",
         "--stories", str(STORIES), "--model", str(model.ensure_model(PROJECT_ROOT)),
         "--out", str(tmp_path), "--no-plot"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env={**os.environ, **model.rasa_env(PROJECT_ROOT)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Evaluating {len(_test_stories())} stories" in run.stderr + run.stdout
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in failed, failed


def test_each_safety_turn_is_a_single_custom_action():
    """A failing action server must leave the turn empty, so the never-silent reply goes out."""
    for rule in RULES:
        steps = rule["steps"]
        intent = steps[0].get("intent")
        if intent and category_of(intent) != "other":
            actions = [s["action"] for s in steps[1:]]
            assert len(actions) == 1 and not actions[0].startswith("utter_"), rule["rule"]


def test_every_flow_and_step_has_a_test_story():
    story_steps = [step for story in _test_stories() for step in story["steps"]]
    tested_actions = {s["action"] for s in story_steps if "action" in s}
    tested_next_steps = {e["step"] for s in story_steps for e in s.get("entities", []) if "step" in e}
    rule_actions = {s["action"] for rule in RULES for s in rule["steps"] if "action" in s}
    assert rule_actions - tested_actions == set()
    # crisis_act, crisis_check and danger_check are their flow's first turn chosen by what the
    # lexicon saw and how sure the model was; tests/e2e/test_flows.py sends each of them.
    # adult_pressure, adult_contact and friend_promise are chosen by the words of the first
    # message (an adult, under 13, a promise, a friend at risk); tests/test_follow_ups.py sends each.
    # danger_here, danger_home and danger_car (a lexicon signal about where they are) and
    # crisis_plan (a time or the means said mid-crisis) likewise; tests/test_follow_ups.py sends each.
    chosen_in = {"adult_pressure": "pressure", "adult_contact": "unsafe_contact", "friend_promise": "friend",
                 "crisis_friend": "crisis", "danger_here": "danger", "danger_home": "danger", "danger_car": "danger",
                 "crisis_plan": "crisis"}
    untested = {
        step for step in STEPS
        if f"action_{chosen_in.get(step, step).removesuffix('_act').removesuffix('_check')}_help" not in tested_actions
        and step not in tested_next_steps
    }
    assert untested == set()
