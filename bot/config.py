"""Settings from the environment, in one place, so the README's table is the whole truth.

Every server binds to 127.0.0.1 unless told otherwise: a safety bot for minors must not be
reachable from the network by accident.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _port(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise SystemExit(f"{name} must be between 1 and 65535, got {port}")
    return port


def _number(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} cannot be negative, got {value}")
    return value


def _chat_id(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a Telegram chat id (a number such as -1001234567890), got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    project_root: Path
    var_dir: Path
    host: str
    rasa_port: int
    actions_port: int
    telegram_token: str | None
    telegram_base_url: str
    rasa_reply_timeout: float
    rasa_auth_token: str | None = field(default=None, repr=False)
    # Seconds between the messages of one multi-message reply in one Telegram chat.
    telegram_pacing: float = 1.0
    # The counsellors' group: the one group chat the bot stays in.
    counsellor_chat_id: int | None = None
    # Webhook mode when set (the public https address a proxy forwards to us); else polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    # A model file to serve instead of the one for the current inputs (comparing models).
    model_file: Path | None = None

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @classmethod
    def from_env(cls) -> "Settings":
        root = Path(_env("WAYPOINT_PROJECT_ROOT", str(PROJECT_ROOT)))
        return cls(
            project_root=root,
            var_dir=Path(_env("WAYPOINT_VAR_DIR", str(root / "var"))),
            host=_env("WAYPOINT_HOST", "127.0.0.1"),
            rasa_port=_port("WAYPOINT_RASA_PORT", 5005),
            actions_port=_port("WAYPOINT_ACTIONS_PORT", 5055),
            telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
            telegram_base_url=_env("TELEGRAM_BASE_URL", "https://api.telegram.org/bot"),
            rasa_reply_timeout=float(_env("WAYPOINT_REPLY_TIMEOUT", "5")),
            rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", "").strip() or None,
            telegram_pacing=_number("WAYPOINT_TELEGRAM_PACING", 1.0),
            counsellor_chat_id=_chat_id("WAYPOINT_COUNSELLOR_CHAT_ID"),
            telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL", "").strip() or None,
            telegram_webhook_port=_port("WAYPOINT_WEBHOOK_PORT", 8443),
            telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
            model_file=Path(os.environ["WAYPOINT_MODEL"]) if os.environ.get("WAYPOINT_MODEL", "").strip() else None,
        )
