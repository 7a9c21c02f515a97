"""Quick exit remembers message ids only while Telegram still lets the bot delete them."""

from bot.channels.chat_history import DELETABLE_FOR, ChatHistory


def test_ids_older_than_48_hours_are_forgotten_and_take_empties_the_chat():
    now = [1_000_000.0]
    history = ChatHistory(clock=lambda: now[0])
    history.add(7, 1)
    now[0] += DELETABLE_FOR - 10
    history.add(7, 2)
    history.add(8, 3)
    now[0] += 20  # message 1 is now too old to delete
    assert history.take(7) == [2]
    assert history.take(7) == []
    assert history.take(8) == [3]
