"""A rasa-sdk Tracker for running a custom action for real, with no conversation behind it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def fresh_tracker(slots: dict[str, Any], latest_message: dict[str, Any], sender: str = "test",
                  events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(sender_id=sender, slots=slots, latest_message=latest_message, events=events or [], paused=False,
                   followup_action=None, active_loop={}, latest_action_name=None)


def after_turn(responses: list[str], latest_text: str = "a message") -> list[dict[str, Any]]:
    """Events of a conversation whose last bot turn sent these responses, then the latest message
    (Rasa names each response in the bot event's metadata)."""
    return [{"event": "user", "text": "earlier"},
            *({"event": "bot", "text": "...", "metadata": {"utter_action": r}} for r in responses),
            {"event": "user", "text": latest_text}]
