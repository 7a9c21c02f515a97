"""What the scrubber takes out of a message before a maintainer reads it, and what it leaves."""

from __future__ import annotations

import pytest

from bot.scrubber import scrub


@pytest.mark.parametrize("text, expected, kind", [
    ("text me on 07700 900123 pls", "text me on [phone] pls", "phone"),
    ("his number is +1 (555) 010-4477", "his number is [phone]", "phone"),
    ("call 555.010.4477 now", "call [phone] now", "phone"),
    ("email me at sam.lee+x@gmail.com", "email me at [email]", "email"),
    ("he is @dark_wolf.09 on insta", "he is [handle] on insta", "handle"),
    ("my snap is jay_2009", "my snap is [handle]", "handle"),
    ("his insta: tyler.h", "his insta: [handle]", "handle"),
    ("discord - ghostkid", "discord - [handle]", "handle"),
    ("he sent https://bit.ly/3xYz a link", "he sent [link] a link", "link"),
    ("look at www.example.com/pics", "look at [link]", "link"),
    ("its on onlyfans.com/user123", "its on [link]", "link"),
    ("he knows i live at 12 Elm Street", "he knows i live at [address]", "address"),
    ("my name is Sam and im 14", "my name is [name] and im 14", "name"),
    ("im called jordan", "im called [name]", "name"),
    ("you can call me Mia", "you can call me [name]", "name"),
    ("my friend Jake got a message", "my friend [name] got a message", "name"),
    ("my bf Tyler keeps asking", "my bf [name] keeps asking", "name"),
])
def test_personal_details_are_replaced_by_a_tag(text, expected, kind):
    scrubbed = scrub(text)
    assert scrubbed.text == expected
    assert scrubbed.found[kind] == 1


@pytest.mark.parametrize("text", [
    "he wants 300 dollars by 9pm",
    "i was 13-15 when it started in 2024",
    "someone on snap keeps asking for pics",
    "my friend is being pressured",
    "i want to die",
    "call me when you can",
])
def test_ordinary_words_amounts_years_and_ages_are_left_alone(text):
    scrubbed = scrub(text)
    assert scrubbed.text == text and not scrubbed.found


def test_several_details_in_one_message_are_all_counted():
    scrubbed = scrub("my name is Ana, snap is ana_x1, number 0412 345 678, see ana.me")
    assert "[name]" in scrubbed.text and "ana_x1" not in scrubbed.text and "345" not in scrubbed.text
    assert scrubbed.found == {"name": 1, "handle": 1, "phone": 1, "link": 1}
