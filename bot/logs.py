"""The app's log: one JSON object per line, with ids, categories and timings, never words.

Nothing in Waypoint logs what a young person wrote; that is the first guard. The redaction
filter is the second, for the mistake nobody has made yet: a library, or a careless line of
ours, that dumps an update, a request body or a URL. It rewrites every record before it is
written:
- quoted values of fields that carry people's words or names (text, caption, message,
  first_name, username, ...) become "[redacted]";
- bot tokens and `token=` query values become "[redacted]";
- extra fields outside a short allowlist (ids, categories, reasons, timings) are dropped to
  "[redacted]" whatever their content.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

# Extra fields a log line may carry: never content, never a Telegram id. `subject` is the
# first 12 hex digits of the pseudonymous id, enough to follow one conversation in the log.
ALLOWED_FIELDS = frozenset({
    "subject", "category", "reason", "error", "ms", "port", "ticket", "status", "count", "failed", "handoff",
})
_WORD_FIELDS = r"text|caption|message|first_name|last_name|username|phone_number|title|data|query"
_CONTENT = re.compile(
    rf"""(?P<key>['"]?\b(?:{_WORD_FIELDS})\b['"]?\s*[:=]\s*)(?P<quote>['"])(?:\\.|(?!(?P=quote)).)*(?P=quote)""",
    re.DOTALL,
)
_SECRETS = (
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}"), "[redacted]"),  # a Telegram bot token
    (re.compile(r"(token=)[^&\s'\"]+"), r"\1[redacted]"),  # Rasa's API token in a URL
)
# Attributes every LogRecord has; anything else on a record came in through `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    text = _CONTENT.sub(lambda m: f"{m['key']}{m['quote']}[redacted]{m['quote']}", text)
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


# python-telegram-bot logs a whole update it cannot read (at CRITICAL, in polling and webhook
# mode): locations, a venue's address, a forwarded sender's name, Telegram ids. Numbers and
# nested fields slip past the word patterns, so such a record keeps only what happened.
_UPDATE_DUMPS = frozenset({"telegram.Bot", "telegram.ext.Updater"})  # getUpdates; the updater and webhook
UNREADABLE_UPDATE = "the Telegram library could not read an update; its contents are not logged"


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in _UPDATE_DUMPS and record.levelno >= logging.ERROR and record.args:
            record.msg, record.args = UNREADABLE_UPDATE, ()
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key in set(vars(record)) - _STANDARD:
            if key not in ALLOWED_FIELDS:
                setattr(record, key, "[redacted]")
            elif isinstance(getattr(record, key), str):
                setattr(record, key, redact(getattr(record, key)))
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            **{key: value for key, value in vars(record).items() if key not in _STANDARD},
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


def setup(log_file: Path) -> None:
    """The app's log file: JSON lines through the redaction filter, INFO and up."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # httpx logs every request URL at INFO; the filter would redact the tokens in them, but a
    # line per request says nothing a maintainer needs.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
