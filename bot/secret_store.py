"""Local secrets, generated on first run so a new install is safe without any set-up.

The Rasa API token and the key that turns a Telegram id into a pseudonymous subject id must
never be committed or printed. They live in var/secrets.json (mode 0600, git-ignored) unless
the environment supplies them.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

_GENERATED = {
    "rasa_auth_token": lambda: secrets.token_hex(32),
    "subject_key": lambda: secrets.token_hex(32),
    # Fernet key for messages kept under consent (bot/store/privacy.py).
    "data_key": lambda: Fernet.generate_key().decode(),
    # Telegram sends it back with every webhook update; anything without it is refused.
    "telegram_webhook_secret": lambda: secrets.token_hex(32),
}


def load(var_dir: Path) -> dict[str, str]:
    """Return every local secret, creating the file or any missing key atomically."""
    path = var_dir / "secrets.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        stored = {}
    except (OSError, ValueError) as exc:
        raise SystemExit(
            f"{path} exists but cannot be read as JSON ({exc}). Fix it or move it away; "
            "a new one is made on the next start."
        ) from None
    missing = {name: make() for name, make in _GENERATED.items() if name not in stored}
    if missing:
        stored.update(missing)
        var_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stored, fh, indent=2)
        os.replace(tmp, path)
    return stored
