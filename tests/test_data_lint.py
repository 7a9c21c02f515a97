"""The data lint behind `make validate`: clean on the real data, and each check catches its problem."""

from __future__ import annotations

import json
from pathlib import Path


import pytest
import yaml

from bot import external_eval
from bot.config import PROJECT_ROOT
from bot.data_lint import lint


def test_the_real_training_data_and_responses_are_clean():
    assert lint(PROJECT_ROOT) == []


def add_intent(root: Path, intent: str, lines: list[str]) -> None:
    examples = "".join(f"      - {line}\n" for line in lines)
    (root / "nlu" / f"{intent}_extra.yml").write_text(
        f'version: "3.1"\nnlu:\n  - intent: {intent}\n    examples: |\n{examples}')


def checks(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in lint(root):
        found.setdefault(problem.check, []).append(problem.detail)
    return found


def test_the_same_line_under_two_intents_is_caught(project_copy):
    add_intent(project_copy, "pressure", ["he keeps asking for pics and says it stays between us xx"])
    add_intent(project_copy, "sextortion", ["He keeps asking for pics and says it stays between us xx!"])
    [detail] = checks(project_copy)["same example, two intents"]
    assert "pressure" in detail and "sextortion" in detail


def test_the_very_same_line_twice_in_one_intent_is_caught_but_a_variant_is_not(project_copy):
    add_intent(project_copy, "pressure", ["he wont stop asking for pics", "He wont stop asking for pics",
                                          "he wont stop asking for pics?"])
    [detail] = checks(project_copy)["repeated example"]
    assert "he wont stop asking for pics" in detail and "pressure" in detail


def test_an_intent_with_too_few_examples_and_a_map_gap_are_caught(project_copy):
    add_intent(project_copy, "brand_new_intent", ["one line", "another line"])
    found = checks(project_copy)
    assert found["too few examples"] == ["brand_new_intent has 2; write at least 10"]
    assert any("brand_new_intent is in nlu/ but not in bot/data/categories.yml" in d for d in found["category map"])
    assert any("not in the domain" in d for d in found["category map"])


def test_a_held_out_line_in_the_training_data_is_caught(project_copy):
    held_out = json.loads((project_copy / "tests" / "nlu" / "holdout.jsonl").read_text().splitlines()[0])
    add_intent(project_copy, "crisis", [held_out["text"].upper()])
    [detail] = checks(project_copy)["held-out line in training data"]
    assert "holdout.jsonl" in detail


def test_a_held_out_question_among_the_privacy_questions_is_caught(project_copy):
    # nlu_components/privacy_question.py learns from this file, not from nlu/.
    held_out = json.loads((project_copy / "tests" / "nlu" / "confidentiality_test.jsonl").read_text().splitlines()[0])
    questions = project_copy / "bot" / "data" / "privacy_questions.yml"
    questions.write_text(questions.read_text() + f"  - {json.dumps(held_out['text'])}\n")
    [detail] = checks(project_copy)["held-out line in training data"]
    assert "privacy_question" in detail and "confidentiality_test.jsonl" in detail


def test_another_writers_follow_up_among_the_follow_up_lines_is_caught(project_copy):
    # nlu_components/follow_up.py learns from bot/data/follow_ups.yml; the other writer's are held out.
    held_out = json.loads((project_copy / "tests" / "nlu" / "follow_ups_test.jsonl").read_text().splitlines()[0])
    path = project_copy / "bot" / "data" / "follow_ups.yml"
    kinds = yaml.safe_load(path.read_text())
    kinds["kinds"][held_out["kind"]].append(held_out["text"])
    path.write_text(yaml.safe_dump(kinds))
    [detail] = checks(project_copy)["held-out line in training data"]
    assert "follow_up" in detail and "follow_ups_test.jsonl" in detail


@pytest.mark.skipif(not external_eval.available(), reason="../shared/corpora is not beside the project")
def test_a_line_of_an_external_dev_or_test_half_in_the_training_data_is_caught(project_copy):
    everyday = next(s for s in external_eval.SETS if s.everyday)
    dev, test = (external_eval.lines(everyday, half)[0]["text"] for half in external_eval.HALVES)
    add_intent(project_copy, "out_of_scope", [dev, test.lower()])
    found = checks(project_copy)["held-out line in training data"]
    assert len(found) == 2
    assert any(f"{everyday.name}/dev" in d for d in found) and any(f"{everyday.name}/test" in d for d in found)


def test_personal_details_in_training_lines_and_blame_in_responses_are_caught(project_copy):
    add_intent(project_copy, "pressure", ["my snap is jay_2009 and he keeps asking"])
    (project_copy / "responses" / "extra.yml").write_text(
        'version: "3.1"\nresponses:\n  utter_extra:\n    - text: "Why did you send it? You should have known better."\n')
    found = checks(project_copy)
    assert any("handle" in d for d in found["personal details"])
    assert found["banned words"] and all("utter_extra" in d for d in found["banned words"])


def test_a_help_service_without_a_source_or_with_an_unread_claim_is_caught(project_copy):
    path = project_copy / "bot" / "data" / "resources.yml"
    text = path.read_text(encoding="utf-8")
    ceop = text.index("service: CEOP Safety Centre")
    source = text.index("    source:", ceop)
    path.write_text(text[:source] + "    open_nights: true\n    source: ''\n" + text[text.index("\n", source) + 1:],
                    encoding="utf-8")
    found = checks(project_copy)
    assert found["resource without a source"] == ["CEOP Safety Centre (UK) says where to find it nowhere"]
    assert found["resource field no reply reads"] == ["CEOP Safety Centre (UK): open_nights"]
