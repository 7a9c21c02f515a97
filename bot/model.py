"""The trained Rasa model, named by a hash of everything that shapes it.

Training takes a minute or more on a 2-core machine, so a restart, a test run or a fresh
clone in CI must not retrain when nothing changed: the model file is
models/<hash>.tar.gz, and a copy is kept in a per-user cache that outlives the clone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Paths (files or folders, relative to the project root) whose contents decide the model.
MODEL_INPUTS = (
    "config.yml", "nlu", "stories", "responses", "requirements/rasa.lock", "requirements/encoder.lock",
    # The safety net runs inside the model's pipeline.
    "nlu_components", "bot/safety_net.py", "bot/data/safety_lexicon.yml",
    "bot/data/grooming_cues.yml", "bot/categories.py", "bot/data/categories.yml",
    # So do the place reader and the privacy question (nlu_components/).
    "bot/places.py", "bot/data/countries.yml", "bot/data/places.yml", "bot/data/cities.yml",
    "bot/confidentiality.py",
    "bot/data/privacy_questions.yml", "bot/data/follow_ups.yml",
)
CACHE_KEEP = 5


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "waypoint" / "models"
    return Path(os.environ.get("WAYPOINT_MODEL_CACHE", default))


def _input_files(root: Path) -> list[Path]:
    files = []
    for name in MODEL_INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    return sorted(files)


def inputs_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path) -> Path:
    return root / "models" / f"{inputs_hash(root)}.tar.gz"


def rasa_env(root: Path) -> dict[str, str]:
    """Environment for every Rasa process: telemetry off, project code importable."""
    return {
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(root),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "HF_HUB_OFFLINE": "1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def ensure_model(root: Path, *, log_file: Path | None = None, force: bool = False) -> Path:
    """Return the model for the current inputs, training it only when none exists yet.

    Output of training goes to the terminal (maintainers want progress) or to `log_file`.
    """
    target = model_path(root)
    cached = cache_dir() / target.name
    if target.exists() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if cached.exists() and not force:
        cached.touch()  # recently used: the cache keeps the newest few
        shutil.copy2(cached, target)
        return target
    _train(root, target, log_file)
    _remember(target)
    return target


def _train(root: Path, target: Path, log_file: Path | None) -> None:
    rasa = root / ".venv-rasa" / "bin" / "rasa"
    if not rasa.exists():
        raise SystemExit("The Rasa environment is missing: run `make setup` first.")
    argv = [
        str(rasa), "train",
        "--config", "config.yml",
        "--domain", "responses",
        "--data", "nlu", "stories",
        "--out", str(target.parent),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    print(f"[train] training model {target.name} (inputs changed or no model yet)", file=sys.stderr)
    env = {**os.environ, **rasa_env(root)}
    if log_file is None:
        result = subprocess.run(argv, cwd=root, env=env)
    else:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as out:
            result = subprocess.run(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not target.exists():
        where = f" (see {log_file})" if log_file else ""
        raise SystemExit(f"Training failed with exit code {result.returncode}{where}.")


def _remember(target: Path) -> None:
    """Copy into the per-user cache and keep only the newest few there."""
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / (target.name + ".part")
    shutil.copy2(target, tmp)
    os.replace(tmp, directory / target.name)
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[CACHE_KEEP:]:
        old.unlink(missing_ok=True)
