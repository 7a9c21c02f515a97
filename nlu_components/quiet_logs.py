"""Rasa's own logs never hold what a young person wrote.

Rasa writes a few structured log events with the message in them: a turn whose HTTP request
was cancelled or failed logs its `text` (rasa/core/channels/rest.py), and others name the
message, entities or events. Rasa's hook for hiding them is an enterprise plugin, so here a
processor goes first in Rasa's structlog chain and replaces the value of every key Rasa itself
lists as message content (rasa/utils/log_utils.py, `_anonymizer`) with "[hidden]". It is
installed when Rasa imports this package to load the model, after Rasa set up its logging.
"""

from __future__ import annotations

from typing import Any

import structlog

HIDDEN = "[hidden]"
CONTENT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message",
})


def hide_content(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in CONTENT_KEYS & event_dict.keys():
        event_dict[key] = HIDDEN
    return event_dict


def install() -> None:
    processors = list(structlog.get_config()["processors"])
    if hide_content not in processors:
        structlog.configure(processors=[hide_content, *processors])
