"""The reply a young person gets when Rasa, the action server or anything else fails.

Safety rule 3: never silent. It is built only from the resources file, with no network and
no model, so it can always be sent; it names the crisis line and the reporting line for the
young person's region (US when unknown) and the emergency number. The crisis/danger lexicon
runs here too, in-process, so that with Rasa down a message showing crisis still gets the
crisis line first and one showing danger the emergency number first (safety rule 2).
"""

from __future__ import annotations

from bot import resources
from bot.safety_net import default_net


def fallback_text(region: str | None = None, category: str | None = None, act_under_way: bool = False) -> str:
    """The never-silent reply; `category` (crisis or danger) puts its line first, and an act
    done or under way puts the emergency number first, then the crisis line."""
    crisis = resources.first(region, "crisis")
    report = resources.first(region, "report")
    emergency = resources.first(region, "emergency")
    danger = (
        f"In danger right now? Call {emergency.phone}."
        if emergency.phone
        else "In danger right now? Call your local emergency number."
    )
    talk = f"Talk to someone now: {crisis.contact_line()}."
    sorry = "Sorry, I'm having trouble answering right now. You are not alone, and you are not in trouble."
    lines = [sorry, talk, f"Report a person who threatens you or wants nudes: {report.contact_line()}.", danger]
    if act_under_way:
        call_now = f"Please call {emergency.phone} right now." if emergency.phone else "Please call your local emergency number right now."
        return "\n".join([call_now, talk, *(line for line in lines if line not in (talk, danger))])
    first = {"crisis": talk, "danger": danger}.get(category or "")
    if first:
        lines = [first, *(line for line in lines if line != first)]
    return "\n".join(lines)


def fallback_for(text: str | None, region: str | None = None) -> str:
    """The never-silent reply for what the young person typed (buttons carry no words)."""
    match = default_net().check(text) if text else None
    return fallback_text(region, match.category if match else None, bool(match and match.emergency))
