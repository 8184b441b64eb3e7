# shellcheck shell=bash
# Sourced by the scripts: create .venv with python3 if needed and install a requirements file into it
# (again only when a requirements file changed since the last install); ensure_wrk installs the
# benchmarks' load generator.
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

ensure_wrk() {
  # The load generator of the benchmark scripts, from Debian.
  if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
}
