"""End to end through the console channel: channel -> real Rasa -> real action server -> channel."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import pytest

from tests.conftest import isolated_settings, settings_env
from tests.support.net import listening, pids_with_argument
from tests.support.terminal import interruptible

pytestmark = pytest.mark.rasa


async def test_hi_gets_a_greeting_with_a_button_that_works(bridge):
    greeting = await bridge.send("e2e-greet", text="hi")
    assert not greeting.failed
    assert "Waypoint" in greeting.replies[0].text
    button = greeting.replies[0].buttons[0]
    assert button.title == "What can you help with?"

    menu = await bridge.send("e2e-greet", payload=button.payload)
    assert not menu.failed
    assert "/human" in [b.payload for b in menu.replies[0].buttons]  # the menu of what it helps with


async def test_crisis_message_gets_the_crisis_line_in_the_first_reply(bridge):
    result = await bridge.send("e2e-crisis", text="i dont want to be alive anymore")
    assert not result.failed  # answered by the custom action, not the fallback
    assert "988" in result.replies[0].text
    assert "911" in result.replies[0].text


async def _jsonl(waypoint_bin: str, env: dict[str, str], lines: list[str], timeout: float = 240) -> tuple[list[dict], int]:
    process = await asyncio.create_subprocess_exec(
        waypoint_bin, "chat", "--jsonl",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, _ = await asyncio.wait_for(process.communicate("\n".join(lines).encode() + b"\n"), timeout)
    return [json.loads(line) for line in out.decode().splitlines()], process.returncode


async def test_jsonl_answers_each_line_and_explains_bad_lines_without_losing_the_rest(rasa_stack, waypoint_bin):
    lines = [
        json.dumps({"sender": "j1", "text": "hey"}),
        "this is not json",
        json.dumps({"sender": "j1", "payload": "/ask_help_menu"}),
        json.dumps({"text": "no sender here"}),
        json.dumps({"sender": "j2", "text": "i want to kill myself"}),
    ]
    out, code = await _jsonl(waypoint_bin, settings_env(rasa_stack.settings), lines)
    assert code == 0
    assert len(out) == len(lines)
    assert out[0]["sender"] == "j1" and "Waypoint" in out[0]["replies"][0]["text"]
    assert out[0]["replies"][0]["buttons"] == [{"title": "What can you help with?", "payload": "/ask_help_menu"}]
    assert "JSON" in out[1]["error"]
    assert "help with" in out[2]["replies"][0]["text"]
    assert "sender" in out[3]["error"]
    assert "988" in out[4]["replies"][0]["text"]
    # It used the running servers and left them running.
    assert listening(rasa_stack.settings.rasa_port)


async def test_jsonl_starts_its_own_servers_when_none_run_and_stops_them_after(tmp_path, waypoint_bin):
    settings = isolated_settings(tmp_path / "var")
    out, code = await _jsonl(waypoint_bin, settings_env(settings), [json.dumps({"sender": "s", "text": "hello"})])
    assert code == 0
    assert "Waypoint" in out[0]["replies"][0]["text"]
    for port in (settings.rasa_port, settings.actions_port):
        assert not listening(port)
        assert pids_with_argument(f" {port}") == []


async def _start_run(waypoint_bin: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        waypoint_bin, "run",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, preexec_fn=interruptible,
    )


async def _read_until(stream: asyncio.StreamReader, marker: str, timeout: float = 240) -> str:
    seen = ""

    async def read() -> str:
        nonlocal seen
        while marker not in seen:
            chunk = await stream.read(1024)
            if not chunk:
                raise AssertionError(f"stream ended before {marker!r}; got:\n{seen}")
            seen += chunk.decode(errors="replace")
        return seen

    return await asyncio.wait_for(read(), timeout)


async def test_run_opens_like_telegram_answers_hi_and_ctrl_c_stops_every_process(tmp_path, waypoint_bin):
    settings = isolated_settings(tmp_path / "var")
    run = await _start_run(waypoint_bin, settings_env(settings))
    await _read_until(run.stderr, "ready in")
    opening = await _read_until(run.stdout, "[5] Skip")  # /start: the promise, then the age buttons
    assert "not a person" in opening and "[1] Under 13" in opening
    run.stdin.write(b"hi\n")
    await run.stdin.drain()
    screen = await _read_until(run.stdout, "[1] What can you help with?")
    assert "bot> Hi, I'm Waypoint." in screen

    run.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(run.wait(), 60) == 130
    for port in (settings.rasa_port, settings.actions_port):
        assert not listening(port)
        assert pids_with_argument(f" {port}") == []


async def test_run_reports_a_crashed_server_starts_it_again_and_keeps_answering(tmp_path, waypoint_bin):
    # A dead action server used to stop the whole bot for good.
    settings = isolated_settings(tmp_path / "var")
    run = await _start_run(waypoint_bin, settings_env(settings))
    await _read_until(run.stderr, "ready in")
    [actions_pid] = [p for p in pids_with_argument(f"--port {settings.actions_port}") if p != run.pid][:1]
    os.kill(actions_pid, signal.SIGKILL)

    report = await _read_until(run.stderr, "starting actions again")
    assert "actions stopped unexpectedly" in report
    run.stdin.write(b"i want to kill myself\n")  # while it restarts: never silent
    await run.stdin.drain()
    assert "988" in await _read_until(run.stdout, "988")
    deadline = asyncio.get_running_loop().time() + 90
    while not listening(settings.actions_port):
        assert asyncio.get_running_loop().time() < deadline, "the action server did not come back"
        await asyncio.sleep(0.5)
    assert actions_pid not in pids_with_argument(f"--port {settings.actions_port}")
    assert run.returncode is None  # the bot kept running

    run.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(run.wait(), 60) == 130
    assert not listening(settings.rasa_port) and not listening(settings.actions_port)


async def test_app_log_holds_neither_what_was_written_nor_any_token(rasa_stack, waypoint_bin):
    # A fixed marker: no other test writes it, so it needs no randomness, and a random one
    # changed the model's answer (38 of 40 random markers read as sextortion with model
    # 72b31a75: a nonsense token moves DIET, docs/nlu-evaluation.md).
    canary = "canary-5e1f0c3a9b72 he says hell post my pics"
    env = settings_env(rasa_stack.settings)
    out, code = await _jsonl(waypoint_bin, env, [json.dumps({"sender": "c", "text": canary})])
    assert code == 0 and out[0]["replies"]
    # classify puts Rasa's API token in every request URL.
    classify = await asyncio.create_subprocess_exec(
        waypoint_bin, "classify", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
    )
    classified, _ = await asyncio.wait_for(classify.communicate(json.dumps({"text": canary}).encode() + b"\n"), 120)
    assert json.loads(classified)["category"] == "sextortion"
    log = (rasa_stack.settings.log_dir / "waypoint.log").read_text()
    assert canary.split()[0] not in log
    assert rasa_stack.auth_token not in log
