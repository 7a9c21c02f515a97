"""The regression gate: a new model may not be worse than the last accepted one.

results/accepted.json (kept in the repository) is the held-out report of the model last
accepted with `make accept`. A new report fails the gate if crisis or danger recall drops
at all, or macro-F1 drops by more than 0.01; the failure shows what got worse and the
held-out messages it now gets wrong that the accepted model got right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GUARDED_RECALL = ("crisis", "danger")
MAX_MACRO_F1_DROP = 0.01
EXAMPLES = 5


@dataclass(frozen=True)
class Worse:
    what: str
    accepted: float
    now: float
    examples: list[str]


def _new_mistakes(report: dict[str, Any], accepted: dict[str, Any], label: str | None = None) -> list[str]:
    before = {m["text"] for m in accepted.get("mistakes", [])}
    return [f"{m['text']!r} ({m['label']} -> {m['category']})" for m in report["mistakes"]
            if m["text"] not in before and (label is None or m["label"] == label)][:EXAMPLES]


def compare(report: dict[str, Any], accepted: dict[str, Any]) -> list[Worse]:
    worse = []
    for category in GUARDED_RECALL:
        was, now = accepted["categories"][category]["recall"], report["categories"][category]["recall"]
        if now < was:
            worse.append(Worse(f"{category} recall", was, now, _new_mistakes(report, accepted, category)))
    was, now = accepted["macro_f1"], report["macro_f1"]
    if now < was - MAX_MACRO_F1_DROP:
        worse.append(Worse("macro-F1", was, now, _new_mistakes(report, accepted)))
    return worse


def describe(worse: list[Worse], report: dict[str, Any], accepted: dict[str, Any]) -> str:
    """The failure as a maintainer reads it: what dropped, by how much, every category whose
    F1 fell, and messages the accepted model got right that this one gets wrong."""
    lines = [f"The new model ({report.get('model', '?')}) is worse than the accepted one "
             f"({accepted.get('model', '?')}):", f"{'what':<18}{'accepted':>10}{'now':>8}{'change':>9}"]
    lines += [f"{w.what:<18}{w.accepted:>10.3f}{w.now:>8.3f}{w.now - w.accepted:>+9.3f}" for w in worse]
    fell = [(name, accepted["categories"][name]["f1"], m["f1"]) for name, m in report["categories"].items()
            if name in accepted["categories"] and m["f1"] < accepted["categories"][name]["f1"]]
    if fell:
        lines += ["", "F1 by category, where it fell:"]
        lines += [f"  {name:<16}{was:>8.3f} -> {now:.3f}" for name, was, now in fell]
    for w in worse:
        if w.examples:
            lines += ["", f"Now wrong, right before ({w.what}):", *(f"  {e}" for e in w.examples)]
    return "\n".join(lines)


def summary(report: dict[str, Any], accepted: dict[str, Any]) -> str:
    return (f"not worse than the accepted model: crisis recall {report['categories']['crisis']['recall']:.3f} "
            f"(accepted {accepted['categories']['crisis']['recall']:.3f}), danger recall "
            f"{report['categories']['danger']['recall']:.3f} ({accepted['categories']['danger']['recall']:.3f}), "
            f"macro-F1 {report['macro_f1']:.3f} ({accepted['macro_f1']:.3f})")


def accepted_record(report: dict[str, Any]) -> dict[str, Any]:
    """What results/accepted.json keeps: the metrics, the model's name and its mistakes."""
    return {
        "model": report.get("model"),
        "accepted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": report.get("source"),
        "lines": report["lines"],
        "macro_f1": report["macro_f1"],
        "false_alarm_rate_other": report["false_alarm_rate_other"],
        "categories": report["categories"],
        "mistakes": [{k: m[k] for k in ("text", "label", "category")} for m in report["mistakes"]],
    }
