"""`waypoint`: the one entry point for running, chatting with and training the bot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import yaml

from sqlalchemy.exc import SQLAlchemyError

from bot import logs, model, secret_store, stack
from bot.config import Settings
from bot.conversation import RasaBridge
from bot.handoff.desk import HandoffDesk
from bot.handoff.hours import Schedule, load_schedule
from bot.store.database import database_url, open_database
from bot.store.privacy import PrivacyStore
from bot.supervisor import ChildFailed


def _status(message: str) -> None:
    print(f"[waypoint] {message}", file=sys.stderr, flush=True)


def _privacy_store(settings: Settings) -> PrivacyStore | None:
    """The database, migrated, with expired messages purged; None (with a warning) if it is
    unreachable: the bot still answers, and nothing can be kept meanwhile."""
    url = database_url(settings.var_dir)
    try:
        key = os.environ.get("WAYPOINT_DATA_KEY", "").strip() or secret_store.load(settings.var_dir)["data_key"]
        store = PrivacyStore(open_database(url), key)
        store.purge_expired()
    except SQLAlchemyError as exc:
        _status(f"database unreachable ({exc.__class__.__name__}): answering without it; nothing will be kept")
        return None
    return store


def _schedule() -> Schedule:
    """Counsellors' hours; a mistake in the file stops the start with a clear message."""
    try:
        return load_schedule()
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise SystemExit(f"counsellor hours: {exc}") from None


def _counsellors(settings: Settings, args: argparse.Namespace) -> int:
    """`waypoint counsellors add|remove|list`: the allowlist of who can take a chat."""
    store = _privacy_store(settings)
    if store is None:
        return 1
    desk = HandoffDesk(store)
    if args.action == "add":
        name = args.name.strip()
        if not name or len(name) > 40:
            print("The display name is what young people see: 1 to 40 characters, like 'Sam'.", file=sys.stderr)
            return 2
        desk.add_counsellor(args.telegram_user_id, name)
        print(f"{name} ({args.telegram_user_id}) can now take chats. They must open a private chat "
              "with the bot and press Start once, so the bot can write to them.")
    elif args.action == "remove":
        if not desk.remove_counsellor(args.telegram_user_id):
            print(f"{args.telegram_user_id} is not on the list; nothing changed.", file=sys.stderr)
            return 1
        print(f"{args.telegram_user_id} removed; a chat they held went back to the queue.")
    else:
        people = desk.counsellors()
        for person in people:
            print(f"{person.telegram_user_id:>14}  {person.display_name}")
        if not people:
            print("No counsellors yet. Add one: waypoint counsellors add TELEGRAM_USER_ID --name NAME")
    return 0


IDLE_FORGET_SECONDS = 3600  # as Rasa's session_expiration_time (responses/session.yml)


async def _purge_periodically(store: PrivacyStore | None, bridge: RasaBridge) -> None:
    """Expired kept messages leave the database; idle conversations leave Rasa's memory."""
    while True:
        await asyncio.sleep(300)
        await bridge.forget_idle(IDLE_FORGET_SECONDS)
        if store is not None:
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(store.purge_expired)


async def _run(settings: Settings) -> int:
    started = time.monotonic()
    _status("starting Rasa and the action server on 127.0.0.1 (about 30 s on 2 cores)...")
    async with stack.serving(settings, reuse=False) as running:
        _status(f"ready in {time.monotonic() - started:.1f} s")
        store = _privacy_store(settings)
        bridge = RasaBridge(settings.rasa_url, timeout=settings.rasa_reply_timeout, auth_token=running.auth_token,
                            store=store)
        purging = asyncio.ensure_future(_purge_periodically(store, bridge))
        try:
            if settings.telegram_token:
                from bot.channels.telegram import TelegramChannel, TelegramConfig

                stored = secret_store.load(settings.var_dir)
                channel = TelegramChannel(TelegramConfig(
                    token=settings.telegram_token,
                    base_url=settings.telegram_base_url,
                    subject_key=stored["subject_key"],
                    pacing=settings.telegram_pacing,
                    counsellor_chat_id=settings.counsellor_chat_id,
                    webhook_url=settings.telegram_webhook_url,
                    webhook_host=settings.host,
                    webhook_port=settings.telegram_webhook_port,
                    webhook_secret=settings.telegram_webhook_secret or stored["telegram_webhook_secret"],
                ), bridge, desk=HandoffDesk(store) if store is not None else None, schedule=_schedule())
                mode = "webhook on 127.0.0.1" if settings.telegram_webhook_url else "polling"
                _status(f"Telegram {mode}; press Ctrl-C to stop")
                chatting = asyncio.ensure_future(channel.run())
            else:
                from bot.channels.console import run_terminal

                _status("no TELEGRAM_BOT_TOKEN set: chatting in this terminal")
                chatting = asyncio.ensure_future(run_terminal(bridge))
            watching = asyncio.ensure_future(running.supervisor.watch())
            done, _ = await asyncio.wait({chatting, watching}, return_when=asyncio.FIRST_COMPLETED)
            if watching in done:
                chatting.cancel()
                failure: ChildFailed = watching.result()
                _status(failure.report())
                _status("stopping everything else")
                return 1
            watching.cancel()
            chatting.result()
            return 0
        finally:
            purging.cancel()
            await bridge.aclose()
            _status("stopping Rasa and the action server")


async def _chat(settings: Settings, jsonl: bool) -> int:
    from bot.channels.console import run_jsonl, run_terminal

    async with stack.serving(settings) as running:
        bridge = RasaBridge(settings.rasa_url, timeout=settings.rasa_reply_timeout, auth_token=running.auth_token,
                            store=_privacy_store(settings))
        try:
            await (run_jsonl if jsonl else run_terminal)(bridge)
        finally:
            await bridge.aclose()
    return 0


async def _classify(settings: Settings, args: argparse.Namespace) -> int:
    from bot.classify import Classifier, format_table, run_classify, run_eval

    async with stack.serving(settings) as running:
        classifier = Classifier(settings.rasa_url, running.auth_token)
        try:
            if args.eval:
                report = await run_eval(classifier, args.eval, args.results)
                print(format_table(report))
                print(f"report: {args.results / (args.eval.stem + '-report.json')}")
            elif args.input:
                with args.input.open(encoding="utf-8") as fh:
                    await run_classify(classifier, fh)
            else:
                await run_classify(classifier, sys.stdin)
        finally:
            await classifier.aclose()
    return 0


def _run_async(coro) -> int:
    """Run `coro`; Ctrl-C or SIGTERM cancel it so every `finally` (stopping children) runs."""

    async def main() -> int:
        task = asyncio.current_task()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await coro

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        _status("stopped")
        return 130
    except ChildFailed as failure:
        _status(failure.report())
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="waypoint", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start Rasa, the action server and the channel (Telegram or console)")
    chat = commands.add_parser("chat", help="chat in the console, starting the servers if they are not running")
    chat.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin, write one JSON line per input")
    train = commands.add_parser("train", help="train the model unless one for the current inputs exists")
    train.add_argument("--force", action="store_true", help="train even if a model for these inputs exists")
    classify = commands.add_parser("classify", help="classify JSON lines {\"text\"}, or evaluate a labelled file")
    source = classify.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, help="read lines from FILE instead of stdin")
    source.add_argument("--eval", type=Path, help='evaluate FILE of {"text", "label"} lines: table, JSON report, PNG')
    classify.add_argument("--results", type=Path, default=Path("results"), help="where --eval writes (default results/)")
    report = commands.add_parser("report", help="counts per day (categories, failures): a table and a PNG")
    report.add_argument("--out", type=Path, default=Path("results") / "report.png", help="where the PNG goes")
    counsellors = commands.add_parser("counsellors", help="who can take handed-off chats: add, remove, list")
    actions = counsellors.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a counsellor (or rename one)")
    add.add_argument("telegram_user_id", type=int, help="their numeric Telegram user id")
    add.add_argument("--name", required=True, help="the display name young people see (1 to 40 characters)")
    remove = actions.add_parser("remove", help="take a counsellor off the list")
    remove.add_argument("telegram_user_id", type=int)
    actions.add_parser("list", help="everyone on the list")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    logs.setup(settings.log_dir / "waypoint.log")
    if args.command == "train":
        print(model.ensure_model(settings.project_root, force=args.force))
        return 0
    if args.command == "classify":
        for path in (args.input, args.eval):
            if path is not None and not path.is_file():
                parser.error(f"{path} does not exist or is not a file")
        return _run_async(_classify(settings, args))
    if args.command == "run":
        return _run_async(_run(settings))
    if args.command == "counsellors":
        return _counsellors(settings, args)
    if args.command == "report":
        from bot import report as reporting

        store = _privacy_store(settings)
        if store is None:
            return 1
        print(reporting.table(store))
        print(f"[report] wrote {reporting.plot(store, args.out)}")
        return 0
    return _run_async(_chat(settings, args.jsonl))


if __name__ == "__main__":
    sys.exit(main())
