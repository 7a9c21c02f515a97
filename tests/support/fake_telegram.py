"""A fake Telegram Bot API on 127.0.0.1, so the real python-telegram-bot client is tested
over real HTTP. It queues updates for getUpdates and records every call the bot makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Waypoint", "username": "waypoint_test_bot"}
# Parameters PTB sends as plain strings; every other value arrives JSON-encoded.
_STRING_PARAMS = {"text", "callback_query_id", "caption", "secret_token", "url", "file_id"}
MAX_TEXT = 4096  # the real Bot API's limit on a message's text, in characters


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.times: list[float] = []  # when each call arrived (time.monotonic), parallel to calls
        # Called from the server's thread for every call: (method, params, arrival time).
        self.on_call: Callable[[str, dict[str, Any], float], None] | None = None
        self._results: list[tuple[str, Any]] = []
        # Calls refused as the real API refuses them: (method, params, description); never sent.
        self.refused: list[tuple[str, dict[str, Any], str]] = []
        self._updates: list[dict[str, Any]] = []
        # The real API writes to a person only after they pressed Start (wrote to the bot), and
        # never to someone who blocked it; it answers a flood with 429 and retry_after.
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._floods: dict[int, list[float]] = {}  # chat id -> retry_after of each 429 to come
        self._texts: dict[tuple[int, int], str] = {}  # (chat, message id) -> text, of what the bot sent
        self._ready = threading.Condition()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def __enter__(self) -> "FakeTelegram":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what a test does ------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> None:
        # Writing to the bot, or tapping a button in a chat with it, means they pressed Start.
        message = (update.get("message") or update.get("edited_message")
                   or (update.get("callback_query") or {}).get("message") or {})
        if message.get("chat", {}).get("type") == "private":
            self._started.add(message["chat"]["id"])
        with self._ready:
            self._updates.append({"update_id": next(self._ids), **update})
            self._ready.notify_all()

    def pressed_start(self, *user_ids: int) -> None:
        """These people opened a private chat with the bot before the test began."""
        self._started.update(user_ids)

    def block(self, user_id: int) -> None:
        """`user_id` blocks the bot: every message to them is refused with 403 from now on."""
        self._blocked.add(user_id)

    def flood(self, chat_id: int, *retry_after: float) -> None:
        """The next sends to `chat_id` are refused with 429, one per `retry_after` given."""
        self._floods.setdefault(chat_id, []).extend(retry_after)

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Sam"}

    def message(self, user_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Sam"},
            "from": self.user(user_id),
            **content,
        }

    def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        """A typed message; like Telegram, a leading /command is marked as a bot_command."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self.message(user_id, **content)
        self.push({"message": message})
        return message

    def tap(self, user_id: int, data: str, chat_id: int | None = None) -> None:
        """`user_id` taps a button on an earlier bot message in their private chat, or in the
        group `chat_id`."""
        shown = self.message(user_id, text="(an earlier bot message)")
        shown["from"] = BOT_USER
        if chat_id is not None:
            shown["chat"] = {"id": chat_id, "type": "supergroup", "title": "Counsellors"}
        self.push({"callback_query": {"id": str(next(self._ids)), "from": self.user(user_id),
                                      "chat_instance": "ci", "data": data, "message": shown}})

    def to(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message the bot sent to one chat, in order."""
        return [params for params in self.sent("sendMessage") if params["chat_id"] == chat_id]

    async def wait_to(self, chat_id: int, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        return await self._until(lambda: self.to(chat_id), count, timeout, f"messages to {chat_id}")

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in list(self.calls) if name == method]

    def results(self, method: str) -> list[Any]:
        """What the fake answered to each call of `method` (e.g. the Message of a sendMessage)."""
        return [result for name, result in list(self._results) if name == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        return await self._until(lambda: self.sent(method), count, timeout, f"{method} calls")

    async def _until(self, found: Callable[[], list[Any]], count: int, timeout: float, what: str) -> list[Any]:
        """Polls `found` until it holds `count` items; fails after `timeout` s, showing every call."""
        deadline = time.monotonic() + timeout
        while len(found()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found())} {what}, wanted {count}: {self.calls}")
            await asyncio.sleep(0.05)
        return found()

    async def settle(self, chat_id: int, quiet: float = 0.4) -> list[dict[str, Any]]:
        """Waits until the bot has sent nothing to `chat_id` for `quiet` seconds (a reply of
        several bubbles has finished), then returns everything sent to it."""
        count = -1
        while count != len(self.to(chat_id)):
            count = len(self.to(chat_id))
            await asyncio.sleep(quiet)
        return self.to(chat_id)

    # --- the Bot API -----------------------------------------------------------------
    def _refusal(self, method: str, params: dict[str, Any]) -> tuple[int, str, dict[str, Any]] | None:
        """What the real Bot API refuses, as (status, description, parameters); the message is
        not sent. Groups (negative ids) have the bot as a member and are never "not started"."""
        if method not in ("sendMessage", "editMessageText", "sendChatAction"):
            return None
        chat = int(params.get("chat_id") or 0)
        if chat in self._blocked:
            return 403, "Forbidden: bot was blocked by the user", {}
        if chat > 0 and chat not in self._started:
            return 403, "Forbidden: bot can't initiate conversation with a user", {}
        if method != "sendChatAction" and self._floods.get(chat):
            wait = self._floods[chat].pop(0)
            return 429, f"Too Many Requests: retry after {wait:g}", {"retry_after": wait}
        if len(str(params.get("text", ""))) > MAX_TEXT:
            return 400, "Bad Request: message is too long", {}
        if method == "editMessageText":
            was = self._texts.get((chat, int(params.get("message_id") or 0)))
            if was is None:
                return 400, "Bad Request: message to edit not found", {}
            if was == params.get("text"):
                return 400, "Bad Request: message is not modified", {}
        return None

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._updates_after(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        if method == "sendMessage":
            chat = {"id": params["chat_id"], "type": "private"}
            message_id = next(self._ids)
            self._texts[(int(params["chat_id"]), message_id)] = params.get("text", "")
            return {"message_id": message_id, "date": int(time.time()), "chat": chat,
                    "from": BOT_USER, "text": params.get("text", "")}
        if method == "editMessageText":
            self._texts[(int(params["chat_id"]), int(params["message_id"]))] = params.get("text", "")
        if method == "getFile":
            return {"file_id": params.get("file_id"), "file_unique_id": "u", "file_path": "photos/x.jpg"}
        return True

    def _updates_after(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        with self._ready:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates:
                self._ready.wait(timeout=min(timeout, 0.5))
            return list(self._updates)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out as two writes; with Nagle on, the body waits for the
            # client's delayed ACK (~40 ms), a delay the real Bot API does not add.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params: dict[str, Any] = {}
                for key, value in parse_qsl(body):
                    try:
                        params[key] = value if key in _STRING_PARAMS else json.loads(value)
                    except ValueError:
                        params[key] = value
                refused = fake._refusal(method, params)
                if refused:
                    status, description, parameters = refused
                    fake.refused.append((method, params, description))
                    body = {"ok": False, "error_code": status, "description": description}
                    self._reply(status, {**body, "parameters": parameters} if parameters else body)
                    return
                result = fake._answer(method, params)
                if method != "getUpdates":
                    arrived = time.monotonic()
                    fake.times.append(arrived)
                    fake.calls.append((method, params))
                    fake._results.append((method, result))
                    if fake.on_call:
                        fake.on_call(method, params, arrived)
                self._reply(200, {"ok": True, "result": result})

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                # A long poll the client gave up on (it stopped polling) has no one to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
