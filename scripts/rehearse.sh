#!/usr/bin/env bash
# Rehearse the docker-compose / Kubernetes topology on loopback (no Docker engine needed):
# PostgreSQL, three API instances started together through docker/entrypoint.sh, the cicd
# acceptance suite against each. Logs and JUnit XML land in test-reports/rehearsal/.
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
ensure_venv "$ROOT/requirements.txt"
scripts/ensure-postgres.sh
exec timeout --signal=TERM --kill-after=20 600 python scripts/rehearse.py
