# shellcheck shell=bash
# Sourced by the scripts: create .venv with python3 if needed and install a requirements file into it.
# Re-installs only when the requirements file changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"

ensure_venv() {
  local requirements="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    python3 -m venv "$VENV"
  fi
  local stamp
  stamp="$VENV/.installed-$(basename "$requirements")"
  if [ ! -f "$stamp" ] || ! cmp -s <(cat "$ROOT"/requirements*.txt) "$stamp"; then
    echo "==> installing $(basename "$requirements") into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements"
    cat "$ROOT"/requirements*.txt > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
