#!/usr/bin/env bash
# Benchmark the service under gunicorn with wrk on 127.0.0.1 and print one JSON document
# (also written to test-reports/benchmark.json). Pass --quick for the short CI run.
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
{  # set-up chatter to stderr: stdout carries only the JSON document
  ensure_venv "$ROOT/requirements.txt"
  ensure_wrk
} >&2
exec timeout --signal=TERM --kill-after=20 900 python scripts/benchmark.py "$@"
