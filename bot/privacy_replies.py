"""What the bot says about privacy: /privacy, the consent question, /mydata, /delete.

Only what the code does (README, "Privacy"), in words the youngest reader can follow; every
text here passes the same reply checks as Rasa's responses.
"""

from __future__ import annotations

from bot.messages import Button, Reply
from bot.store.privacy import RETENTION, SubjectData

IMPROVE_DAYS = RETENTION["improve_bot"].days
COUNSELLOR_DAYS = RETENTION["counsellor_read"].days
CONSENT_YES = "/consent_improve_bot_yes"
CONSENT_NO = "/consent_improve_bot_no"

PRIVACY = Reply(
    text=(
        "What happens to your words:\n"
        "- I don't save this chat, only hold it while we talk.\n"
        "- If you tell me your age or country, I keep just that.\n"
        "- A counsellor sees it only if you say yes, until your chat ends.\n"
        "- Photos and files are deleted unopened.\n"
        "- /mydata shows what I have. /delete wipes it. /exit clears the screen."
    )
)
CONSENT_QUESTION = Reply(
    text=(
        f"You can help make me better. If you say yes, I keep what you type for {IMPROVE_DAYS} days, "
        "locked so only the Waypoint team can read it. Then it is deleted. It's up to you, and "
        "you can change your mind any time."
    ),
    buttons=(Button("Yes, keep it", CONSENT_YES), Button("No thanks", CONSENT_NO)),
)
CONSENT_YES_REPLY = Reply(
    text=f"Thanks. I'll keep what you type for {IMPROVE_DAYS} days, locked. Send /privacy to change your mind."
)
CONSENT_NO_REPLY = Reply(text="Okay. I won't keep what you type. If I kept some, it is gone now.")
ERASED = Reply(
    text=(
        "Done. I erased what this chat had about you, your age group and country too. "
        "You can start again any time with /start."
    )
)
NOT_ERASED = Reply(text="Sorry, I couldn't erase it just now. Please send /delete again in a minute.")
NO_NOT_SAVED_YET = Reply(
    text="Okay. I'm keeping nothing you type from now on. My storage isn't answering right now, so I'll "
         "save your choice as soon as it is back. You can check it later with /mydata."
)
NO_STORE = Reply(text="Sorry, I can't reach my storage right now, so I am keeping nothing. Please try again later.")


def mydata(data: SubjectData) -> Reply:
    def answer(purpose: str) -> str:
        return {True: "yes", False: "no"}.get(data.consents.get(purpose), "not asked yet")

    kept = data.kept_messages.get("improve_bot", 0)
    shared = data.kept_messages.get("counsellor_read", 0)
    return Reply(
        text=(
            "Here is what I have about you:\n"
            f"- Keep what you type to improve me: {answer('improve_bot')}.\n"
            f"- Messages kept: {kept}, each deleted after {IMPROVE_DAYS} days.\n"
            f"- A counsellor may read your chat: {answer('counsellor_read')}.\n"
            f"- Counsellor chats: {data.tickets}, messages shared: {shared}, deleted {COUNSELLOR_DAYS} days after the chat ends.\n"
            "- Your age group and country, if you told me.\n"
            "/delete wipes it all."
        )
    )
