"""Pseudonymous subject ids: HMAC-SHA256(secret key, Telegram user id).

Rasa, the database and the logs only ever see this id, so a leaked tracker or log line does
not lead back to a child's Telegram account without the key.
"""

from __future__ import annotations

import hashlib
import hmac


def subject_id(key: str, telegram_user_id: int) -> str:
    digest = hmac.new(key.encode(), str(telegram_user_id).encode(), hashlib.sha256)
    return digest.hexdigest()
