"""From consented messages to training data: export (scrubbed, with the model's guess) and
import (only reviewed, known intents, never a duplicate or a held-out line, with provenance)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from datetime import date

import pytest
import yaml
from cryptography.fernet import Fernet

from bot.classify import Classifier
from bot.config import PROJECT_ROOT
from bot.data_lint import lint
from bot.labeling import export_for_labeling, import_labeled
from bot.nlu_data import read_examples
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore


def write_jsonl(path, items):
    path.write_text("".join((json.dumps(i) if isinstance(i, dict) else i) + "\n" for i in items))


def test_reviewed_lines_are_added_once_with_provenance_and_bad_lines_are_explained(project_copy, tmp_path):
    existing = read_examples(project_copy / "nlu")[0]
    held_out = json.loads((project_copy / "tests" / "nlu" / "holdout.jsonl").read_text().splitlines()[0])["text"]
    reviewed = tmp_path / "reviewed.jsonl"
    write_jsonl(reviewed, [
        {"text": "he keeps saying send one pic and then hell leave me alone", "label": "pressure"},
        {"text": "ok so hes been asking where my parents sleep", "label": "unsafe_contact"},
        {"text": existing.text, "label": existing.intent},
        {"text": "not reviewed yet", "label": None},
        {"text": "nobody checked this one", "label": "skip"},
        {"text": "something else", "label": "spam"},
        {"text": "text me on 07700 900123", "label": "pressure"},
        {"text": held_out, "label": "crisis"},
        "{not json",
    ])
    result = import_labeled(reviewed, project_copy, today=date(2026, 11, 24))
    assert result.added == [("pressure", "he keeps saying send one pic and then hell leave me alone"),
                            ("unsafe_contact", "ok so hes been asking where my parents sleep")]
    assert (result.already_known, result.not_labelled) == (1, 2)
    problems = "\n".join(result.problems)
    assert "line 6: 'spam' is not an intent" in problems
    assert "line 7: still shows personal details (phone)" in problems
    assert "line 8: this line is in the held-out set holdout.jsonl" in problems
    assert "line 9 is not valid JSON" in problems

    labeled = yaml.safe_load((project_copy / "nlu" / "labeled.yml").read_text())
    pressure = next(b for b in labeled["nlu"] if b["intent"] == "pressure")
    assert pressure["examples"] == [{"text": "he keeps saying send one pic and then hell leave me alone",
                                     "metadata": {"source": "reviewed.jsonl line 1, imported 2026-11-24"}}]
    assert lint(project_copy) == []

    again = import_labeled(reviewed, project_copy)
    assert again.added == [] and again.already_known == 3
    assert len(read_examples(project_copy / "nlu")) == len(read_examples(PROJECT_ROOT / "nlu")) + 2


@pytest.mark.rasa
def test_rasa_reads_the_imported_lines_as_training_examples(project_copy, tmp_path):
    reviewed = tmp_path / "reviewed.jsonl"
    write_jsonl(reviewed, [{"text": "he keeps saying send one pic and then hell leave me alone", "label": "pressure"}])
    import_labeled(reviewed, project_copy)
    script = ("import sys; from rasa.shared.nlu.training_data.loading import load_data; "
              "data = load_data(sys.argv[1]); "
              "print([(m.get('intent'), m.get('text')) for m in data.intent_examples if 'leave me alone' in m.get('text')])")
    run = subprocess.run([str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-c", script,
                          str(project_copy / "nlu" / "labeled.yml")], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert run.returncode == 0, run.stderr
    assert "('pressure', 'he keeps saying send one pic and then hell leave me alone')" in run.stdout


@pytest.mark.rasa
async def test_export_scrubs_consented_messages_and_adds_the_models_guess(rasa_stack, tmp_path):
    store = PrivacyStore(open_database(f"sqlite:///{tmp_path / 'waypoint.db'}"), Fernet.generate_key().decode())
    store.record_consent("agreed", "improve_bot", True)
    store.keep("agreed", "improve_bot", "my snap is jay_2009 and he says hell post my pics unless i pay")
    store.keep("agreed", "improve_bot", "call me on 07700 900123 pls")
    store.keep("never-asked", "improve_bot", "this must never be exported")
    classifier = Classifier(rasa_stack.settings.rasa_url, rasa_stack.auth_token)
    out = tmp_path / "labeling" / "to-label.jsonl"
    try:
        exported = await export_for_labeling(store, classifier, out)
    finally:
        await classifier.aclose()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert exported.lines == 2 and exported.scrubbed == {"handle": 1, "phone": 1}
    assert [line["text"] for line in lines] == ["my snap is [handle] and he says hell post my pics unless i pay",
                                                "call me on [phone] pls"]
    assert lines[0]["suggested_category"] == "sextortion" and lines[0]["label"] is None
    assert "jay_2009" not in out.read_text() and "900123" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
