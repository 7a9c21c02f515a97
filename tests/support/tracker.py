"""A rasa-sdk Tracker for running a custom action for real, with no conversation behind it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def fresh_tracker(slots: dict[str, Any], latest_message: dict[str, Any], sender: str = "test") -> Tracker:
    return Tracker(sender_id=sender, slots=slots, latest_message=latest_message, events=[], paused=False,
                   followup_action=None, active_loop={}, latest_action_name=None)
