"""Buttons as Telegram shows them: one inline keyboard row per button, or none."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.payload)] for b in buttons])
