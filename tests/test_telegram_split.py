"""Long replies are split under Telegram's 4,096-character limit without losing a character."""

from bot.channels.sending import MAX_MESSAGE, split_for_telegram


def test_long_text_is_split_at_line_breaks_and_nothing_is_lost():
    paragraph = "Keep the chat, the username and any payment request. " * 20
    text = "\n".join([paragraph.strip()] * 10)
    pieces = split_for_telegram(text)
    assert len(text) > MAX_MESSAGE and len(pieces) > 1
    assert all(len(p) <= MAX_MESSAGE for p in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_one_unbroken_word_longer_than_the_limit_is_still_split():
    pieces = split_for_telegram("x" * 9000)
    assert [len(p) for p in pieces] == [4096, 4096, 808]


def test_short_text_is_one_piece():
    assert split_for_telegram("hi") == ["hi"]
