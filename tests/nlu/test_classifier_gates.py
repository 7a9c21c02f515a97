"""CI gates on the trained model, through `waypoint classify` against the real Rasa server.

The held-out file was written separately from the training data and is never trained on.
Gates: crisis and danger recall 1.0, macro-F1 >= 0.90; false alarms on everyday lines at most 2%
of the 1,800 public everyday lines of the external test half and of the 300+ out-of-scope
training lines (where the untrained lexicon could still fire), and at most 5% of the gate
set's 132 `other` lines. 132 lines cannot tell 1% from 3% (one line is 0.76%): the same
inputs trained on two machines gave 1 and 4 of them (docs/nlu-evaluation.md, 2026-12-06).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import external_eval, model, regression
from bot.config import PROJECT_ROOT
from tests.conftest import settings_env

pytestmark = pytest.mark.rasa

HOLDOUT = Path(__file__).parent / "holdout.jsonl"


def classify(waypoint_bin: str, settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [waypoint_bin, "classify", *args],
        input=stdin, capture_output=True, text=True, timeout=600,
        env=settings_env(settings), cwd=PROJECT_ROOT, check=True,
    )


@pytest.fixture(scope="module")
def holdout_report(rasa_stack, waypoint_bin, tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    run = classify(waypoint_bin, rasa_stack.settings, "--eval", str(HOLDOUT), "--results", str(results))
    report = json.loads((results / "holdout-report.json").read_text())
    return run.stdout, report, results


def test_holdout_never_misses_crisis_or_danger(holdout_report):
    _, report, _ = holdout_report
    missed = [m for m in report["mistakes"] if m["label"] in ("crisis", "danger")]
    assert missed == []
    assert report["categories"]["crisis"]["recall"] == 1.0
    assert report["categories"]["danger"]["recall"] == 1.0


def test_holdout_macro_f1_and_false_alarms_meet_the_gate(holdout_report):
    _, report, _ = holdout_report
    assert report["macro_f1"] >= 0.90, json.dumps(report["categories"], indent=1)
    assert report["false_alarm_rate_other"] <= 0.05, [m for m in report["mistakes"] if m["label"] == "other"]


def test_the_model_is_not_worse_than_the_last_accepted_one(holdout_report):
    """The regression gate (make eval runs it too): no drop in crisis or danger recall, and
    macro-F1 down by at most 0.01, against results/accepted.json."""
    _, report, _ = holdout_report
    accepted = json.loads((PROJECT_ROOT / "results" / "accepted.json").read_text())
    worse = regression.compare(report, accepted)
    assert worse == [], regression.describe(worse, report, accepted)


@pytest.mark.skipif(not external_eval.available(), reason="../shared/corpora is not beside the project")
def test_external_test_half_crisis_recall_and_everyday_alarms_meet_the_gate(rasa_stack, waypoint_bin, tmp_path):
    """Public posts and tweets nobody here wrote (bot/external_eval.py's test half): crisis
    recall may not drop below the accepted model's, and at most 2% of the public everyday
    lines may be answered as a safety matter (results/accepted.json, external_test). The
    targets are 0.95 and 1%; while they are still open (docs/nlu-evaluation.md) the gate holds
    the line. The other measures are reported by make eval, not gated here."""
    run = subprocess.run(
        [waypoint_bin, "classify", "--external", "test", "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=1200, env=settings_env(rasa_stack.settings), cwd=PROJECT_ROOT,
    )
    assert (tmp_path / "external-test.json").exists(), run.stderr[-2000:]
    measures = {m["what"]: m for m in json.loads((tmp_path / "external-test.json").read_text())["measures"]}
    crisis = measures["crisis recall, crisis posts and tweets"]
    accepted = json.loads((PROJECT_ROOT / "results" / "accepted.json").read_text())["external_test"]
    assert crisis["value"] >= accepted["crisis recall, crisis posts and tweets"]["value"], run.stdout
    # The everyday side of the same gate, on lines enough to measure it (the target is 1%).
    assert measures["everyday queries treated as a safety matter"]["value"] <= 0.02, run.stdout
    assert "crisis recall" in run.stdout and f"({crisis['count']}/{crisis['of']})" in run.stdout
    report = json.loads((tmp_path / "external-reddit_suicidewatch_teenagers-test-report.json").read_text())
    texts = {line["text"] for line in external_eval.lines(external_eval.SETS[1], "test")}
    assert not any(m["text"] in texts for m in report["mistakes"])  # sensitive texts are never quoted


def test_eval_prints_the_table_and_writes_the_png(holdout_report):
    table, _, results = holdout_report
    assert "macro-F1:" in table and "false alarms on other:" in table
    for category in ("crisis", "danger", "sextortion", "legal_worry", "other"):
        assert category in table
    png = results / "holdout-confusion.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_everyday_training_lines_raise_almost_no_alarms(rasa_stack, waypoint_bin):
    data = yaml.safe_load((PROJECT_ROOT / "nlu" / "other.yml").read_text())
    block = next(item for item in data["nlu"] if item.get("intent") == "out_of_scope")
    lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
    assert len(lines) >= 300
    # Strip entity markup: [snap](platform) -> snap
    texts = [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", t) for t in lines]
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps({"text": t}) + "\n" for t in texts))
    results = [json.loads(line) for line in run.stdout.splitlines()]
    alarms = [r for r in results if r["category"] != "other"]
    assert len(results) == len(texts)
    assert len(alarms) / len(results) <= 0.02, alarms


def test_classify_reports_which_safety_signal_fired(rasa_stack, waypoint_bin):
    lines = [{"text": "ngl i just want to unalive myself"}, {"text": "this homework is killing me"}]
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps(l) + "\n" for l in lines) + "oops\n")
    crisis, homework, bad = [json.loads(line) for line in run.stdout.splitlines()]
    assert crisis["category"] == "crisis" and crisis["signal"].startswith("crisis.")
    assert set(crisis) == {"text", "intent", "category", "confidence", "signal", "follow_up"}
    assert homework["signal"] is None and homework["category"] == "other"
    assert "not valid JSON" in bad["error"]


UNUSED_UTTERANCE = re.compile(r"The utterance '(\w+)' is not used in any story or rule")


def test_rasa_data_validate_is_clean():
    run = subprocess.run(
        [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"), "data", "validate",
         "--domain", "responses", "--data", "nlu", "stories", "--config", "config.yml"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
        env={**os.environ, **model.rasa_env(PROJECT_ROOT)},
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # Rasa 3.6's validator cannot see responses sent by custom actions (actions/flows.py sends
    # each step's responses by name); those warnings are expected, and only for those names.
    sent_by_actions = set(re.findall(r'"(utter_\w+)"', "".join(
        p.read_text() for p in (PROJECT_ROOT / "actions").glob("*.py"))))
    unexplained = [
        line for line in output.splitlines() if "UserWarning" in line
        and not ((m := UNUSED_UTTERANCE.search(line)) and m.group(1) in sent_by_actions)
    ]
    assert unexplained == [], output


def test_every_lexicon_catch_survives_the_whole_pipeline(rasa_stack, waypoint_bin):
    """The fallback step must never swallow a safety signal, however unsure the model is."""
    cases = yaml.safe_load((Path(__file__).parent / "safety_lexicon_cases.yml").read_text())["must_catch"]
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps({"text": c["text"]}) + "\n" for c in cases))
    results = [json.loads(line) for line in run.stdout.splitlines()]
    wrong = [(c["text"], r["category"], r["signal"]) for c, r in zip(cases, results, strict=True)
             if (r["category"], r["signal"]) != (c["category"], c["signal"])]
    assert wrong == []


def test_a_grooming_cue_lifts_what_the_model_left_as_other_and_never_overrules_it(rasa_stack, waypoint_bin):
    """Words a groomer uses, pasted or retold, get the unsafe-contact reply rather than "not
    sure I understood"; with nudes or a threat in the same message, the model's own safety
    category stands (bot/data/grooming_cues.yml)."""
    cases = yaml.safe_load((Path(__file__).parent / "grooming_cue_cases.yml").read_text())["must_catch"]
    overruling = ["he wants me to send nudes and said dont tell anyone",
                  "she said shell post my pics unless i pay and keep it our secret"]
    texts = [c["text"] for c in cases] + overruling
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps({"text": t}) + "\n" for t in texts))
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["text"], r["category"]) for r in results[:len(cases)] if r["category"] == "other"] == []
    assert all(r["category"] == "unsafe_contact" for r in results if (r["signal"] or "").startswith("grooming."))
    assert [(r["category"], r["signal"]) for r in results[len(cases):]] == [("pressure", None), ("sextortion", None)]


def test_the_same_words_in_sentence_case_or_typed_fast_are_read_the_same(rasa_stack, waypoint_bin):
    """Style is not meaning: capitals, apostrophes and full stops change nothing
    (nlu_components/plain_tokenizer.py). Before, "I want to kill myself." was small talk to
    the model and "I'm in the UK" was not a country."""
    pairs = [("I want to kill myself.", "i want to kill myself"),
             ("I'm in the UK.", "im in the uk"),
             ("He keeps asking if I'm home alone.", "he keeps asking if im home alone"),
             ("What's the weather like in Paris?", "whats the weather like in paris"),
             ("I CAN'T DO THIS ANYMORE", "i cant do this anymore")]
    texts = [t for pair in pairs for t in pair]
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps({"text": t}) + "\n" for t in texts))
    results = [json.loads(line) for line in run.stdout.splitlines()]
    read = [(r["intent"], round(r["confidence"], 3)) for r in results]
    assert read[0::2] == read[1::2]
    assert [r["category"] for r in results[0::2]] == ["crisis", "other", "unsafe_contact", "other", "crisis"]


@pytest.mark.parametrize("half, kinds_at_least, wrong_at_most, others_at_most", [
    ("follow_ups_test.jsonl", 96, 2, 8), ("follow_ups_2_test.jsonl", 53, 1, 3)])
def test_another_writers_follow_ups_are_told_apart_as_measured(rasa_stack, waypoint_bin, half, kinds_at_least,
                                                              wrong_at_most, others_at_most):
    """What a young person says next (nlu_components/follow_up.py), on the test halves of the
    writers who did not write bot/data/follow_ups.yml, read once for model aaeaa713
    (docs/nlu-evaluation.md, 2026-12-06, follow-ups): 96 of 118 and 53 of 60 follow-ups marked
    with their kind, 2 and 1 with another kind, 8 of 46 and 3 of 25 other lines marked. The
    step is a logistic regression on a fixed encoder, the same on every machine: this holds
    that line."""
    lines = [json.loads(line) for line in (HOLDOUT.parent / half).read_text().splitlines()]
    run = classify(waypoint_bin, rasa_stack.settings, stdin="".join(json.dumps({"text": l["text"]}) + "\n" for l in lines))
    results = [json.loads(line) for line in run.stdout.splitlines()]
    follow_ups = [(l["kind"], r["follow_up"]) for l, r in zip(lines, results, strict=True) if l["kind"] != "none"]
    others = [r["follow_up"] for l, r in zip(lines, results, strict=True) if l["kind"] == "none"]
    assert sum(kind == found for kind, found in follow_ups) >= kinds_at_least
    assert sum(found not in (None, kind) for kind, found in follow_ups) <= wrong_at_most
    assert sum(found is not None for found in others) <= others_at_most
