#!/usr/bin/env bash
# Compare predict/floor between git revisions (scripts/compare.py): e.g. scripts/compare.sh HEAD~1 HEAD
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
{
  ensure_venv "$ROOT/requirements.txt"
  ensure_wrk
} >&2
exec timeout --signal=TERM --kill-after=20 3600 python scripts/compare.py "$@"
