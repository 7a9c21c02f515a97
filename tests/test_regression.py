"""The regression gate: which changes to a model's held-out report fail it, and what it shows."""

from __future__ import annotations

import copy

import pytest

from bot import regression
from bot.categories import categories


def report(crisis=1.0, danger=1.0, macro_f1=0.95, mistakes=()):
    per_category = {name: {"precision": 0.95, "recall": 0.95, "f1": 0.95, "support": 30} for name in categories()}
    per_category["crisis"]["recall"], per_category["danger"]["recall"] = crisis, danger
    return {"model": "m.tar.gz", "categories": per_category, "macro_f1": macro_f1, "lines": 490,
            "false_alarm_rate_other": 0.01, "source": "holdout.jsonl",
            "mistakes": [{"text": t, "label": label, "category": "other"} for t, label in mistakes]}


ACCEPTED = report(mistakes=[("an old miss", "pressure")])


def test_the_same_or_a_better_model_passes():
    assert regression.compare(copy.deepcopy(ACCEPTED), ACCEPTED) == []
    assert regression.compare(report(macro_f1=0.97), ACCEPTED) == []
    assert regression.compare(report(macro_f1=0.9401), ACCEPTED) == []  # within 0.01


@pytest.mark.parametrize("category", ["crisis", "danger"])
def test_any_drop_in_crisis_or_danger_recall_fails_with_the_new_misses(category):
    worse_report = report(**{category: 0.97}, mistakes=[("an old miss", "pressure"), ("im meeting him soon", category)])
    [worse] = regression.compare(worse_report, ACCEPTED)
    assert worse.what == f"{category} recall" and worse.examples == [f"'im meeting him soon' ({category} -> other)"]
    shown = regression.describe([worse], worse_report, ACCEPTED)
    assert f"{category} recall" in shown and "-0.030" in shown and "im meeting him soon" in shown
    assert "an old miss" not in shown  # the accepted model got that wrong too


def test_macro_f1_down_by_more_than_a_hundredth_fails():
    [worse] = regression.compare(report(macro_f1=0.939), ACCEPTED)
    assert worse.what == "macro-F1"


def test_the_accepted_record_keeps_metrics_model_and_mistakes():
    record = regression.accepted_record(ACCEPTED)
    assert record["model"] == "m.tar.gz" and record["macro_f1"] == 0.95
    assert record["mistakes"] == [{"text": "an old miss", "label": "pressure", "category": "other"}]
    assert regression.compare(report(), record) == []
