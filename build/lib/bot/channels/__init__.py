"""Channels: where a young person's messages come from (Telegram, or the console)."""
