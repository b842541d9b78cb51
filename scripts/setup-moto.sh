#!/usr/bin/env bash
# Installs moto's standalone server into a git-ignored virtualenv at the repo root (.venv/).
# The conformance suite (tests/conformance) runs the same IAM scenarios against moto and the
# local emulator. Idempotent: a second run only checks that moto_server is present and answers --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
SPEC='moto[server]==5.*'

if [ -x "$VENV/bin/moto_server" ] && "$VENV/bin/python" -c 'import moto, sys; sys.exit(0 if moto.__version__.startswith("5.") else 1)' 2>/dev/null; then
  echo "moto already installed in $VENV ($("$VENV/bin/python" -c 'import moto; print(moto.__version__)'))"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SPEC"

if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "moto_server missing after install in $VENV" >&2
  exit 1
fi
echo "moto installed in $VENV ($("$VENV/bin/python" -c 'import moto; print(moto.__version__)'))"
