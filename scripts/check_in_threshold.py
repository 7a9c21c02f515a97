"""Sweeps the confidence below which a crisis or danger guess of the model's own is asked
about ("Are you thinking about hurting yourself?") rather than asserted (actions/flows.py,
CHECK_IN_BELOW). Reads only dev data: the external dev halves and the project's fresh set.

Either way the reply carries the crisis line or the emergency number, so the threshold does
not trade recall; it trades an assertion a young person never made (an everyday line read
as crisis) against a question to someone who did disclose. The sweep prints, for each
threshold, how many true disclosures and how many false alarms (model only, no lexicon
signal) would be asked rather than told.

    .venv/bin/python scripts/check_in_threshold.py     # starts Rasa if it is not running
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import external_eval, stack  # noqa: E402
from bot.classify import Classifier  # noqa: E402
from bot.config import Settings  # noqa: E402

SAFETY = ("crisis", "danger")
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def dev_items() -> list[dict]:
    items = [row for s in external_eval.SETS for row in external_eval.lines(s, "dev")]
    fresh = ROOT / "tests" / "nlu" / "holdout_fresh.jsonl"
    items += [json.loads(line) for line in fresh.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


async def model_only_guesses() -> list[tuple[bool, float]]:
    """(was it a true crisis/danger line, confidence) for each model-only crisis/danger guess."""
    settings = Settings.from_env()
    found = []
    async with stack.serving(settings) as running:
        classifier = Classifier(settings.rasa_url, running.auth_token)
        try:
            for item in dev_items():
                result = await classifier.classify(item["text"])
                if result.category in SAFETY and result.signal is None:
                    found.append((item["label"] == result.category, result.confidence))
        finally:
            await classifier.aclose()
    return found


def main() -> int:
    guesses = asyncio.run(model_only_guesses())
    true = [c for ok, c in guesses if ok]
    false = [c for ok, c in guesses if not ok]
    print(f"model-only crisis/danger guesses on dev: {len(true)} right, {len(false)} false alarms")
    print(f"{'check in below':>15}{'right, asked':>15}{'false, asked':>15}")
    for t in THRESHOLDS:
        print(f"{t:>15.2f}{sum(c < t for c in true):>9}/{len(true):<5}{sum(c < t for c in false):>9}/{len(false):<5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
