"""A plan said in passing, inside a crisis conversation: the emergency number and an adult now.

"tonight." or "ive got stuff in my room" is everyday on its own, so the lexicon, which reads
every message, does not hold it; said by someone already in a crisis conversation it is a time
set or the means ready (the C-SSRS plan items). A fourth writer's blind conversation showed the
gap: a plan for tonight got "you can reach someone here" and the crisis lines, with no
emergency number. bot/data/crisis_context.yml holds those words; they are read only here, in
a crisis flow, together with the lexicon's own plan and means signals.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rasa_sdk import Tracker

import bot
from bot.safety_net import SafetyNet

CONTEXT_FILE = Path(bot.__file__).parent / "data" / "crisis_context.yml"
PLAN_SIGNALS = frozenset({"crisis.suicide_plan", "crisis.method_or_means"})


@lru_cache(maxsize=1)
def crisis_context() -> SafetyNet:
    return SafetyNet.from_file(CONTEXT_FILE, ("crisis",))


def plan_in_passing(tracker: Tracker) -> bool:
    """The latest message gives a time or the means (call only inside a crisis flow)."""
    signal = (tracker.latest_message.get("safety_signal") or {}).get("id")
    return signal in PLAN_SIGNALS or crisis_context().check(tracker.latest_message.get("text") or "") is not None
