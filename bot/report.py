"""`waypoint report`: the day-by-day counts, as a table and as a PNG, with no id or content.

What maintainers and helpline leads ask first: how many young people came about what, how
often the bot failed them (never-silent fallbacks, by reason), and how handoffs went: how
many were asked for, taken, ended or expired, how long young people waited for a
counsellor, and whether they said it helped.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from bot.store.privacy import PrivacyStore

METRICS = ("category", "failure", "handoff", "handoff_wait", "handoff_feedback")


def table(store: PrivacyStore) -> str:
    lines = [f"{'day':<12} {'metric':<16} {'label':<22} {'count':>6}"]
    for metric in METRICS:
        for (day, label), count in sorted(store.counts(metric).items()):
            lines.append(f"{day.isoformat():<12} {metric:<16} {label:<22} {count:>6}")
    if len(lines) == 1:
        lines.append("(nothing counted yet)")
    return "\n".join(lines)


def plot(store: PrivacyStore, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(METRICS), 1, figsize=(9, 3.2 * len(METRICS)))
    for ax, metric in zip(axes, METRICS):
        series: dict[str, dict[date, int]] = defaultdict(dict)
        for (day, label), count in store.counts(metric).items():
            series[label][day] = count
        days = sorted({d for per_day in series.values() for d in per_day})
        bottom = [0] * len(days)
        for label, per_day in sorted(series.items()):
            heights = [per_day.get(d, 0) for d in days]
            ax.bar([d.isoformat() for d in days], heights, bottom=bottom, label=label)
            bottom = [b + h for b, h in zip(bottom, heights)]
        ax.set_title(f"{metric} per day")
        if series:
            ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
