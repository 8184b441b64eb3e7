#!/usr/bin/env bash
# Set everything up and run the checks: ruff (lint + format), mypy (strict on predictions/ml),
# then the whole test suite (ml, api, e2e with gunicorn) with line coverage (fails under 90 %).
# Runs on SQLite unless DATABASE_URL says otherwise. Extra arguments go to pytest.
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
ensure_venv "$ROOT/requirements-dev.txt"

echo "==> ruff"
ruff check .
ruff format --check .
echo "==> mypy (strict: predictions/ml)"
mypy
echo "==> pytest on ${DATABASE_URL:-SQLite}"
pytest -p no:cacheprovider --cov --cov-report=term "$@"
