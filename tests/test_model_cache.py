"""The model is named by a hash of its inputs and reused, so restarts and CI don't retrain."""

import shutil
from pathlib import Path

import pytest

from bot import model
from bot.config import PROJECT_ROOT


def copy_inputs(dest: Path) -> Path:
    for name in model.MODEL_INPUTS:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_hash_changes_with_training_data_and_not_with_unrelated_files(tmp_path):
    project = copy_inputs(tmp_path)
    before = model.inputs_hash(project)
    (project / "README.md").write_text("docs do not shape the model")
    (project / "nlu" / "__pycache__").mkdir()
    (project / "nlu" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert model.inputs_hash(project) == before

    with (project / "nlu" / "greeting.yml").open("a") as fh:
        fh.write("      - howdy\n")
    assert model.inputs_hash(project) != before


@pytest.mark.rasa
async def test_unchanged_inputs_reuse_the_trained_model(rasa_stack):
    trained = model.ensure_model(PROJECT_ROOT)
    mtime = trained.stat().st_mtime_ns
    assert model.ensure_model(PROJECT_ROOT) == trained
    assert trained.stat().st_mtime_ns == mtime


@pytest.mark.rasa
async def test_a_fresh_clone_takes_the_model_from_the_user_cache_without_training(rasa_stack, tmp_path):
    # The copy has no .venv-rasa: had ensure_model tried to train, it would have failed.
    clone = copy_inputs(tmp_path / "clone")
    found = model.ensure_model(clone)
    assert found == clone / "models" / model.model_path(PROJECT_ROOT).name
    assert found.stat().st_size == model.model_path(PROJECT_ROOT).stat().st_size
