"""The reply a young person gets when Rasa, the action server or anything else fails.

Safety rule 3: never silent. It is built only from the resources file, with no network and
no model, so it can always be sent; it names the crisis line and the reporting line for the
young person's country (US when unknown) and that country's emergency number, in words for
their age band. Country and band are the ones the bridge last saw them choose, so a failing
Rasa does not turn them into a US user. The crisis/danger lexicon
runs here too, in-process, so that with Rasa down a message showing crisis still gets the
crisis line first and one showing danger the emergency number first (safety rule 2).
"""

from __future__ import annotations

from bot import resources
from bot.safety_net import default_net


# The words around the numbers, for under-13s (short words, one idea a sentence) and for others.
WORDING = {
    "under_13": {"sorry": "Sorry, I can't answer right now. You are not alone. You are not in trouble.",
                 "report": "Tell them about a person who scares you or asks for nudes",
                 "danger": "Not safe right now? Call {number}."},
    "default": {"sorry": "Sorry, I'm having trouble answering right now. You are not alone, and you are not in trouble.",
                "report": "Report a person who threatens you or wants nudes",
                "danger": "In danger right now? Call {number}."},
}


def fallback_text(country: str | None = None, category: str | None = None, act_under_way: bool = False,
                  age_band: str | None = None) -> str:
    """The never-silent reply; `category` (crisis or danger) puts its line first, and an act
    done or under way puts the emergency number first, then the crisis line."""
    words = WORDING.get(age_band or "", WORDING["default"])
    crisis = resources.first(country, "crisis")
    report = resources.first(country, "report")
    emergency = resources.emergency_number(country)
    danger = words["danger"].format(number=emergency)
    talk = f"Talk to someone now: {crisis.contact_line()}."
    lines = [words["sorry"], talk, f"{words['report']}: {report.contact_line()}.", danger]
    if act_under_way:
        call_now = f"Please call {emergency} right now."
        return "\n".join([call_now, talk, *(line for line in lines if line not in (talk, danger))])
    first = {"crisis": talk, "danger": danger}.get(category or "")
    if first:
        lines = [first, *(line for line in lines if line != first)]
    return "\n".join(lines)


def fallback_for(text: str | None, country: str | None = None, age_band: str | None = None) -> str:
    """The never-silent reply for what the young person typed (buttons carry no words)."""
    match = default_net().check(text) if text else None
    return fallback_text(country, match.category if match else None, bool(match and match.emergency), age_band)
