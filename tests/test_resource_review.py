"""`waypoint resources --region`: what a reviewer reads before a release."""

import subprocess
from datetime import date

from bot.resource_review import review


def test_the_uk_report_lists_every_line_with_its_source_and_the_never_silent_reply():
    text, _ = review("UK", today=date(2026, 12, 6))
    assert "Childline: call 0800 1111" in text and "Shout: text SHOUT to 85258" in text
    assert "CEOP can't take reports without a name" in text
    assert "source: safety-facts.md" in text
    assert "In danger right now? Call 999." in text  # the never-silent reply, as it goes out
    assert "988" not in text and "report.cybertip.org" not in text


def test_entries_never_verified_or_older_than_180_days_are_flagged():
    text, today = review("OTHER", today=date(2026, 12, 6))
    _, later = review("OTHER", today=date(2027, 7, 1))
    assert today == 3  # the helpline finder, the helpline directory and the taskforce's address
    assert text.count("RE-CHECK") == 3
    assert later == sum(line.startswith("[") for line in text.splitlines())  # every entry, by then


def test_a_country_gets_its_region_and_its_own_emergency_number():
    text, _ = review("DE", today=date(2026, 12, 6))
    assert "Germany (DE): region OTHER" in text and "116 111" in text and "Call 112 or 110." in text


def test_the_command_refuses_an_unknown_place_kindly(waypoint_bin):
    done = subprocess.run([waypoint_bin, "resources", "--region", "Narnia"], capture_output=True, text=True)
    assert done.returncode == 2 and "not a region" in done.stderr
    shown = subprocess.run([waypoint_bin, "resources", "--region", "au"], capture_output=True, text=True)
    assert shown.returncode == 0 and "Kids Helpline" in shown.stdout and "Call 000." in shown.stdout
