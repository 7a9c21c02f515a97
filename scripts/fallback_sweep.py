"""Choose FallbackClassifier's threshold from cross-validation, not from a default.

Runs `rasa test nlu --cross-validation` with the fallback switched off, so every example keeps
the model's own top intent and confidence, then replays thresholds: below the threshold a
line counts as `other` (it gets the help menu). Prints, per threshold, macro-F1 over the ten
categories, recall on the safety categories and false alarms on `other`. The held-out file is
not used here: it stays a clean test. Takes several minutes (one training per fold).

    .venv/bin/python scripts/fallback_sweep.py [--folds 3] [--config candidate.yml]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

import yaml

from bot import categories, model
from bot.classify import evaluate
from bot.config import PROJECT_ROOT

THRESHOLDS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def config_without_fallback(source: Path, path: Path) -> None:
    config = yaml.safe_load(source.read_text())
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "FallbackClassifier"]
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml",
                        help="pipeline to evaluate (default config.yml); compare candidates this way")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "fallback-sweep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yml"
        config_without_fallback(args.config, config)
        subprocess.run(
            [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"), "test", "nlu", "--nlu", "nlu",
             "--config", str(config), "--cross-validation", "--folds", str(args.folds),
             "--successes", "--out", str(args.out)],
            cwd=PROJECT_ROOT, env={**os.environ, **model.rasa_env(PROJECT_ROOT)}, check=True,
        )
    predictions = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = args.out / name
        if path.exists():
            predictions += json.loads(path.read_text())
    rows = []
    for threshold in THRESHOLDS:
        pairs = []
        for p in predictions:
            predicted = p["intent_prediction"]
            name = predicted["name"] if predicted["confidence"] >= threshold else None
            pairs.append((categories.category_of(p["intent"]), categories.category_of(name)))
        report = evaluate(pairs)
        safety = [c for c in categories.categories() if c != "other"]
        rows.append({
            "threshold": threshold,
            "macro_f1": report["macro_f1"],
            "min_safety_recall": min(report["categories"][c]["recall"] for c in safety),
            "crisis_recall": report["categories"]["crisis"]["recall"],
            "danger_recall": report["categories"]["danger"]["recall"],
            "false_alarm_rate_other": report["false_alarm_rate_other"],
        })
    print(f"{'threshold':>9} {'macro-F1':>9} {'min safety recall':>18} {'crisis':>7} {'danger':>7} {'false alarms':>13}")
    for r in rows:
        print(f"{r['threshold']:>9.2f} {r['macro_f1']:>9.3f} {r['min_safety_recall']:>18.3f} "
              f"{r['crisis_recall']:>7.3f} {r['danger_recall']:>7.3f} {100 * r['false_alarm_rate_other']:>12.1f}%")
    (args.out / "sweep.json").write_text(json.dumps({"examples": len(predictions), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
