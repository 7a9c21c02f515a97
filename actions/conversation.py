"""Questions about the conversation itself, answered in any flow without losing the flow.

"Will you tell my mom?", "is this anonymous?", "can the police see this?": young people ask
these mid-disclosure, and an unanswered one ends the conversation. The honest answer comes
first; when the same message also told us what is wrong ("he has my pics... will u tell my
parents?") and no flow has started, that flow's first step follows.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.flows import STEPS, send_step

# A topic the model saw beside the question: below this, the question alone is answered.
TOPIC_AT_LEAST = 0.15


def topic_beside(tracker: Tracker) -> str | None:
    """The step for what a message about privacy also disclosed, when the model ranked a topic
    close by. Crisis and danger seen this way are asked about, never asserted (the safety net
    has already answered every message its words fire on); asking for a person is left to
    the young person's next tap."""
    for ranked in (tracker.latest_message.get("intent_ranking") or [])[1:3]:
        name = ranked.get("name")
        if (ranked.get("confidence") or 0.0) < TOPIC_AT_LEAST or name not in STEPS or name == "human":
            continue
        return f"{name}_check" if name in ("crisis", "danger") else name
    return None


class ActionConfidentiality(Action):
    def name(self) -> str:
        return "action_confidentiality"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_confidentiality")
        topic = None if tracker.get_slot("flow") else topic_beside(tracker)
        return send_step(topic, dispatcher, tracker) if topic else []
