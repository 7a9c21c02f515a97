"""`waypoint`: the one entry point for running, chatting with and training the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import httpx
import yaml

from sqlalchemy.exc import SQLAlchemyError

from bot import external_eval, logs, model, secret_store, stack
from bot.config import Settings
from bot.conversation import RasaBridge
from bot.handoff.desk import HandoffDesk
from bot.handoff.hours import Schedule, load_schedule
from bot.loops import every
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
        desk.add_counsellor(args.telegram_user_id, name, supervisor=args.supervisor)
        role = " and supervise (/who, /reassign, /audit, /unban)" if args.supervisor else ""
        print(f"{name} ({args.telegram_user_id}) can now take chats{role}. They must open a private chat "
              "with the bot and press Start once, so the bot can write to them.")
    elif args.action == "remove":
        if not desk.remove_counsellor(args.telegram_user_id):
            print(f"{args.telegram_user_id} is not on the list; nothing changed.", file=sys.stderr)
            return 1
        print(f"{args.telegram_user_id} removed; a chat they held went back to the queue.")
    else:
        people = desk.counsellors()
        for person in people:
            print(f"{person.telegram_user_id:>14}  {person.display_name}" + ("  (supervisor)" if person.supervisor else ""))
        if not people:
            print("No counsellors yet. Add one: waypoint counsellors add TELEGRAM_USER_ID --name NAME")
    return 0


async def _swap_model(settings: Settings, bridge: RasaBridge) -> None:
    """SIGHUP (`waypoint swap-model`): the model trained for the current inputs goes live."""
    target = model.model_path(settings.project_root)
    if not target.exists():
        _status(f"no model for the current inputs ({target.name}); run make train, then make deploy")
        return
    _status(f"switching to {target.name}; messages wait meanwhile and none is lost")
    started = time.monotonic()
    try:
        await bridge.swap_model(target)
    except httpx.HTTPError as exc:
        _status(f"Rasa refused {target.name} ({exc.__class__.__name__}); still running the previous model")
        return
    _status(f"now running {target.name} (switched in {time.monotonic() - started:.1f} s)")


def _signal_running_bot(settings: Settings) -> int:
    """`waypoint swap-model`: train if needed, then tell the running bot to switch."""
    pid_file = settings.var_dir / "waypoint.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        print("No running bot found (start it with make run); the next start uses the new model anyway.",
              file=sys.stderr)
        return 1
    print(model.ensure_model(settings.project_root, log_file=settings.log_dir / "train.log"))
    os.kill(pid, signal.SIGHUP)
    print(f"Asked the running bot (pid {pid}) to switch; its terminal says when it has.")
    return 0


IDLE_FORGET_SECONDS = 3600  # as Rasa's session_expiration_time (responses/session.yml)


async def _purge(store: PrivacyStore | None, bridge: RasaBridge) -> None:
    """Expired kept messages leave the database; idle conversations leave Rasa's memory."""
    await bridge.forget_idle(IDLE_FORGET_SECONDS)
    if store is not None:
        await asyncio.to_thread(store.purge_expired)


def _restarting(failure: ChildFailed) -> None:
    _status(failure.report())
    _status(f"starting {failure.name} again; meanwhile young people get the lines to call")


async def _run(settings: Settings) -> int:
    started = time.monotonic()
    _status("starting Rasa and the action server on 127.0.0.1 (about 30 s on 2 cores)...")
    async with stack.serving(settings, reuse=False) as running:
        _status(f"ready in {time.monotonic() - started:.1f} s")
        store = _privacy_store(settings)
        bridge = RasaBridge(settings.rasa_url, timeout=settings.rasa_reply_timeout, auth_token=running.auth_token,
                            store=store)
        purging = asyncio.ensure_future(every(300, lambda: _purge(store, bridge), "purge"))
        pid_file = settings.var_dir / "waypoint.pid"
        pid_file.write_text(str(os.getpid()))
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: bridge.background(_swap_model(settings, bridge)))
        watching: asyncio.Future | None = None
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
            watching = asyncio.ensure_future(running.supervisor.keep_running(_restarting))
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
            if watching is not None:
                watching.cancel()  # never restarts what the stop below ends
            pid_file.unlink(missing_ok=True)
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
    from bot.classify import Classifier, format_measures, format_table, run_classify, run_eval, run_external

    async with stack.serving(settings) as running:
        classifier = Classifier(settings.rasa_url, running.auth_token)
        try:
            if args.external:
                summary = await run_external(classifier, args.external, args.results)
                print(format_measures(summary))
                print(f"reports: {args.results}/external-*-{args.external}-report.json")
                return 0 if all(m["ok"] for m in summary["measures"]) else 1
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


def _lint_data(settings: Settings) -> int:
    from bot.data_lint import lint

    problems = lint(settings.project_root)
    for problem in problems:
        print(f"{problem.check}: {problem.detail}")
    print(f"[lint] {len(problems)} problem(s)" if problems else "[lint] the training data and responses are clean")
    return 1 if problems else 0


def _read_report(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"Could not read {path} ({exc.__class__.__name__}); run make eval first.", file=sys.stderr)
        return None


def _gate(report_path: Path, accepted_path: Path) -> int:
    from bot import regression

    report, accepted = _read_report(report_path), _read_report(accepted_path)
    if report is None or accepted is None:
        return 2
    worse = regression.compare(report, accepted)
    print(regression.describe(worse, report, accepted) if worse else "[gate] " + regression.summary(report, accepted))
    return 1 if worse else 0


def _accept(settings: Settings, report_path: Path, accepted_path: Path) -> int:
    from bot import regression

    report = _read_report(report_path)
    if report is None:
        return 2
    current = model.model_path(settings.project_root).name
    if report.get("model") != current:
        print(f"{report_path} is for {report.get('model')}, but the current model is {current}; "
              "run make eval first.", file=sys.stderr)
        return 1
    record = regression.accepted_record(report)
    external = _read_report(report_path.parent / "external-test.json") if (report_path.parent / "external-test.json").exists() else None
    if external is not None and external.get("model") == current:
        record["external_test"] = {m["what"]: m for m in external["measures"]}
    accepted_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"[accept] {current} is the new baseline ({accepted_path}); commit it with the data change.")
    return 0


async def _export(settings: Settings, out: Path) -> int:
    from bot.classify import Classifier
    from bot.labeling import export_for_labeling

    store = _privacy_store(settings)
    if store is None:
        return 1
    async with stack.serving(settings) as running:
        classifier = Classifier(settings.rasa_url, running.auth_token)
        try:
            exported = await export_for_labeling(store, classifier, out)
        finally:
            await classifier.aclose()
    scrubbed = ", ".join(f"{n} {kind}" for kind, n in sorted(exported.scrubbed.items())) or "nothing"
    print(f"[export] {exported.lines} message(s) to {out} (readable by you only); scrubbed: {scrubbed}.\n"
          "Fill in each line's \"label\" with an intent (or \"skip\"), then: waypoint import-labeled FILE. "
          "Delete the file when you are done; never commit it.")
    return 0


def _import(settings: Settings, path: Path) -> int:
    from bot.labeling import import_labeled

    result = import_labeled(path, settings.project_root)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(f"[import] added {len(result.added)} to nlu/labeled.yml; {result.already_known} already in the data; "
          f"{result.not_labelled} without a label; {len(result.problems)} to fix (listed above, nothing else was lost). "
          "Next: make validate, make train, make eval.")
    return 1 if result.problems else 0


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
    source.add_argument("--external", choices=("dev", "test"),
                        help="evaluate one half of the public sets in ../shared/corpora (tune on dev only)")
    classify.add_argument("--results", type=Path, default=Path("results"),
                          help="where --eval and --external write (default results/)")
    report = commands.add_parser("report", help="counts per day (categories, failures): a table and a PNG")
    report.add_argument("--out", type=Path, default=Path("results") / "report.png", help="where the PNG goes")
    counsellors = commands.add_parser("counsellors", help="who can take handed-off chats: add, remove, list")
    actions = counsellors.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a counsellor (or rename one)")
    add.add_argument("telegram_user_id", type=int, help="their numeric Telegram user id")
    add.add_argument("--name", required=True, help="the display name young people see (1 to 40 characters)")
    add.add_argument("--supervisor", action="store_true", help="may also use /who, /reassign, /audit and /unban")
    remove = actions.add_parser("remove", help="take a counsellor off the list")
    remove.add_argument("telegram_user_id", type=int)
    actions.add_parser("list", help="everyone on the list")
    commands.add_parser("lint-data", help="check the training data and responses (make validate runs this)")
    review = commands.add_parser("resources", help="every help line for a region or country, with sources and dates")
    review.add_argument("--region", required=True, help="US, CA, UK, AU, OTHER, or a country code such as DE")
    gate = commands.add_parser("gate", help="fail if the evaluated model is worse than the accepted one")
    accept = commands.add_parser("accept", help="record the evaluated model as the new baseline")
    for command in (gate, accept):
        command.add_argument("--report", type=Path, default=Path("results") / "holdout-report.json")
        command.add_argument("--accepted", type=Path, default=Path("results") / "accepted.json")
    export = commands.add_parser("export-for-labeling", help="consented messages, scrubbed, with the model's guess")
    export.add_argument("--out", type=Path, default=Path("var") / "labeling" / "to-label.jsonl")
    imported = commands.add_parser("import-labeled", help="merge reviewed lines into nlu/labeled.yml")
    imported.add_argument("file", type=Path)
    commands.add_parser("swap-model", help="train if needed, then switch the running bot to the new model")
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
        if args.external and not external_eval.available():
            parser.error(f"the public sets are not in {external_eval.CORPORA} (../shared beside the project)")
        return _run_async(_classify(settings, args))
    if args.command == "run":
        return _run_async(_run(settings))
    if args.command == "lint-data":
        return _lint_data(settings)
    if args.command == "resources":
        from bot.resource_review import review

        try:
            text, _ = review(args.region)
        except ValueError as exc:
            parser.error(str(exc))
        print(text)
        return 0
    if args.command == "gate":
        return _gate(args.report, args.accepted)
    if args.command == "accept":
        return _accept(settings, args.report, args.accepted)
    if args.command == "export-for-labeling":
        return _run_async(_export(settings, args.out))
    if args.command == "import-labeled":
        if not args.file.is_file():
            parser.error(f"{args.file} does not exist or is not a file")
        return _import(settings, args.file)
    if args.command == "swap-model":
        return _signal_running_bot(settings)
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
