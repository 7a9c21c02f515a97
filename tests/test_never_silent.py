"""Safety rule 3: when Rasa fails, the young person still gets the crisis and reporting lines."""

import asyncio

import pytest
from cryptography.fernet import Fernet

from bot import resources
from bot.conversation import RasaBridge
from bot.never_silent import fallback_text
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore
from tests.support.net import free_port


@pytest.mark.parametrize(
    "country, must_name",
    [
        (None, ["988", "1-800-843-5678", "911"]),
        ("US", ["988", "report.cybertip.org", "911"]),
        ("CA", ["1-800-668-6868", "cybertip.ca", "911"]),
        ("UK", ["Childline", "0800 1111", "ceop.police.uk", "999"]),
        ("AU", ["1800 55 1800", "accce.gov.au/report", "000"]),
        ("DE", ["findahelpline.com", "virtualglobaltaskforce.com", "112"]),
        ("NG", ["findahelpline.com", "199"]),
        ("OTHER", ["findahelpline.com", "virtualglobaltaskforce.com", "the emergency number where you are", "112"]),
    ],
)
def test_the_never_silent_reply_names_the_lines_of_their_country(country, must_name):
    text = fallback_text(country)
    for expected in must_name:
        assert expected in text
    assert "not in trouble" in text


async def test_rasa_down_and_no_country_known_gets_the_us_lines():
    bridge = RasaBridge(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        result = await bridge.send("someone", text="he says he will post my pics")
    finally:
        await bridge.aclose()
    assert result.failed and result.reason == "unreachable"
    [reply] = result.replies
    assert reply.text == fallback_text(None)
    assert bridge.failures.by_reason == {"unreachable": 1}


async def test_rasa_that_never_answers_gets_the_fallback_after_the_timeout():
    accepted = []

    async def hang(reader, writer):
        accepted.append(writer)
        await asyncio.sleep(30)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    bridge = RasaBridge(f"http://127.0.0.1:{port}", timeout=0.5)
    try:
        result = await bridge.send("someone", text="hello?")
    finally:
        await bridge.aclose()
        server.close()
    assert accepted, "the request reached the server"
    assert result.failed and result.reason == "timeout"
    assert "988" in result.replies[0].text


def test_every_region_has_an_emergency_crisis_report_and_removal_service():
    for region in resources.REGIONS:
        for role in ("emergency", "crisis", "report", "removal"):
            assert resources.resources_for(region, role), f"{region} has no {role} service"


def test_every_resource_names_its_source_and_its_region_and_role():
    for r in resources.all_resources():
        assert r.source.strip(), r.service
        assert r.region in resources.REGIONS and r.role in resources.ROLES, r.service


@pytest.mark.parametrize("text, first_line_names", [
    ("i want to kill myself", "988"),
    ("hes outside my house right now and wont leave", "911"),
])
async def test_with_rasa_down_the_safety_net_still_puts_the_right_line_first(text, first_line_names):
    bridge = RasaBridge(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        result = await bridge.send("someone", text=text)
    finally:
        await bridge.aclose()
    assert result.failed
    assert first_line_names in result.replies[0].text.split("\n")[0]


async def test_with_rasa_down_an_everyday_message_gets_the_apology_first():
    bridge = RasaBridge(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        result = await bridge.send("someone", text="hi")
    finally:
        await bridge.aclose()
    assert result.replies[0].text.startswith("Sorry")


async def test_failures_are_counted_in_the_database_without_ids_or_text(tmp_path):
    sessions = open_database(f"sqlite:///{tmp_path / 'waypoint.db'}")
    store = PrivacyStore(sessions, Fernet.generate_key().decode())
    bridge = RasaBridge(f"http://127.0.0.1:{free_port()}", timeout=2, store=store)
    try:
        await bridge.send("someone", text="canary-text")
    finally:
        await bridge.aclose()
    [(key, count)] = store.counts("failure").items()
    assert key[1] == "unreachable" and count == 1
