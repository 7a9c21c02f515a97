"""`waypoint classify`: what the running model makes of each line, and how good that is.

Maintainers read a category, not a raw intent, because categories are what decide a young
person's first reply. The evaluation reports what the CI gates check: recall on crisis and
danger, macro-F1, and false alarms on everyday lines (a bot that cries wolf gets ignored).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from bot import categories, external_eval


@dataclass(frozen=True)
class Classified:
    text: str
    intent: str
    category: str
    confidence: float
    signal: str | None
    # What kind of follow-up it would be mid-conversation (nlu_components/follow_up.py), if any.
    follow_up: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "category": self.category,
            "confidence": round(self.confidence, 4),
            "signal": self.signal,
            "follow_up": self.follow_up,
        }


class Classifier:
    """Asks Rasa's /model/parse (the whole NLU pipeline, safety net included)."""

    def __init__(self, rasa_url: str, token: str) -> None:
        self._client = httpx.AsyncClient(base_url=rasa_url, params={"token": token}, timeout=30)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def model_name(self) -> str:
        """The model file Rasa is running (named by the hash of its inputs)."""
        response = await self._client.get("/status")
        response.raise_for_status()
        return Path(response.json().get("model_file") or "unknown").name

    async def classify(self, text: str) -> Classified:
        response = await self._client.post("/model/parse", json={"text": text})
        response.raise_for_status()
        parsed = response.json()
        intent = parsed.get("intent") or {}
        name = intent.get("name") or categories.FALLBACK_INTENT
        signal = (parsed.get("safety_signal") or {}).get("id")
        follow_up = (parsed.get("follow_up") or {}).get("kind")
        return Classified(text, name, categories.category_of(name), float(intent.get("confidence") or 0), signal,
                          follow_up)


def read_jsonl(stream: TextIO, required: tuple[str, ...]) -> Iterable[tuple[int, dict[str, Any] | str]]:
    """Yield (line number, object) or (line number, what is wrong with the line)."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            yield number, f"line {number} is not valid JSON; skipped"
            continue
        if not isinstance(data, dict) or any(not isinstance(data.get(k), str) or not data[k].strip() for k in required):
            yield number, f"line {number} needs {', '.join(repr(k) for k in required)} as non-empty strings; skipped"
            continue
        yield number, data


def evaluate(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Per-category precision/recall/F1, macro-F1, confusion matrix and the false-alarm rate.

    `pairs` are (expected category, predicted category). A false alarm is an `other` line
    predicted as any safety category.
    """
    names = list(categories.categories())
    confusion = {expected: {predicted: 0 for predicted in names} for expected in names}
    for expected, predicted in pairs:
        confusion[expected][predicted] += 1
    per_category = {}
    for name in names:
        tp = confusion[name][name]
        predicted_as = sum(confusion[e][name] for e in names)
        support = sum(confusion[name].values())
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_category[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    present = [n for n in names if per_category[n]["support"]]
    others = sum(confusion["other"].values())
    alarms = others - confusion["other"]["other"]
    return {
        "categories": per_category,
        "macro_f1": sum(per_category[n]["f1"] for n in present) / len(present) if present else 0.0,
        "false_alarms_other": alarms,
        "other_lines": others,
        "false_alarm_rate_other": alarms / others if others else 0.0,
        "confusion": confusion,
        "lines": len(pairs),
    }


def format_table(report: dict[str, Any]) -> str:
    rows = [f"{'category':<16}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for name, m in report["categories"].items():
        rows.append(f"{name:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9d}")
    rows.append("")
    rows.append(f"macro-F1: {report['macro_f1']:.3f}")
    rows.append(
        f"false alarms on other: {report['false_alarms_other']}/{report['other_lines']}"
        f" ({100 * report['false_alarm_rate_other']:.1f}%)"
    )
    return "\n".join(rows)


def write_confusion_png(report: dict[str, Any], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["confusion"])
    grid = [[report["confusion"][e][p] for p in names] for e in names]
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(title)
    peak = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, value, ha="center", va="center", color="white" if value > peak / 2 else "black")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


async def run_classify(classifier: Classifier, stream: TextIO, out: TextIO = sys.stdout) -> None:
    for number, item in read_jsonl(stream, ("text",)):
        if isinstance(item, str):
            out.write(json.dumps({"line": number, "error": item}) + "\n")
            continue
        out.write(json.dumps((await classifier.classify(item["text"])).as_dict(), ensure_ascii=False) + "\n")
        out.flush()


async def _evaluate_items(classifier: Classifier, items: list[dict[str, Any]], *, quote: bool) -> dict[str, Any]:
    """Classifies labelled items; mistakes quote the text only when `quote` (external texts
    are sensitive and licensed for evaluation: their mistakes name the line's source)."""
    pairs, mistakes = [], []
    for i, item in enumerate(items, start=1):
        result = await classifier.classify(item["text"])
        pairs.append((item["label"], result.category))
        if result.category != item["label"]:
            found = result.as_dict()
            if not quote:
                found["text"] = item["source"]
            mistakes.append({**found, "label": item["label"]})
        if i % 100 == 0 or i == len(items):
            print(f"[classify] {i}/{len(items)}", file=sys.stderr, flush=True)
    report = evaluate(pairs)
    report["mistakes"] = mistakes
    report["model"] = await classifier.model_name()
    return report


def _write_report(report: dict[str, Any], results_dir: Path, stem: str, title: str) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{stem}-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    write_confusion_png(report, results_dir / f"{stem}-confusion.png", title)


async def run_eval(classifier: Classifier, path: Path, results_dir: Path) -> dict[str, Any]:
    known = set(categories.categories())
    items: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, item in read_jsonl(fh, ("text", "label")):
            if isinstance(item, str):
                print(item, file=sys.stderr)
            elif item["label"] not in known:
                print(f"line {number}: label {item['label']!r} is not a category; skipped", file=sys.stderr)
            else:
                items.append(item)
    report = await _evaluate_items(classifier, items, quote=True)
    report["source"] = str(path)
    _write_report(report, results_dir, path.stem, f"{path.name}: {report['lines']} lines")
    return report


async def run_external(classifier: Classifier, half: str, results_dir: Path) -> dict[str, Any]:
    """Every external set's `half` (bot/external_eval.py): a report per set, and the issue's
    measures with their targets in results/external-<half>.json."""
    reports = {}
    for external in external_eval.SETS:
        items = external_eval.lines(external, half)
        print(f"[classify] {external.name} ({half}): {len(items)} lines", file=sys.stderr, flush=True)
        report = await _evaluate_items(classifier, items, quote=False)
        report["source"] = f"{external.file} ({half} half, seed {external_eval.SEED})"
        _write_report(report, results_dir, f"external-{external.name}-{half}", f"{external.name} {half}")
        reports[external.name] = report
    summary = {"half": half, "model": next(iter(reports.values()))["model"],
               "measures": external_eval.measures(reports)}
    (results_dir / f"external-{half}.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def format_measures(summary: dict[str, Any]) -> str:
    rows = [f"{'external ' + summary['half'] + ' half':<52}{'value':>8}{'target':>10}  ok"]
    for m in summary["measures"]:
        rows.append(f"{m['what']:<52}{m['value']:>8.3f}{m['op']:>4}{m['target']:>6.2f}  {'yes' if m['ok'] else 'NO'}"
                    f"   ({m['count']}/{m['of']})")
    return "\n".join(rows)
