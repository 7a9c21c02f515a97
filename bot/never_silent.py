"""The reply a young person gets when Rasa, the action server or anything else fails.

Safety rule 3: never silent. It is built only from the resources file, with no network and
no model, so it can always be sent; it names the crisis line and the reporting line for the
young person's region (US when unknown) and the emergency number.
"""

from __future__ import annotations

from bot import resources


def fallback_text(region: str | None = None) -> str:
    crisis = resources.first(region, "crisis")
    report = resources.first(region, "report")
    emergency = resources.first(region, "emergency")
    danger = (
        f"In danger right now? Call {emergency.phone}."
        if emergency.phone
        else "In danger right now? Call your local emergency number."
    )
    return "\n".join(
        [
            "Sorry, I'm having trouble answering right now. You are not alone, and you are not in trouble.",
            f"Talk to someone now: {crisis.contact_line()}.",
            f"Report a person who threatens you or wants nudes: {report.contact_line()}.",
            danger,
        ]
    )
