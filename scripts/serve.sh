#!/usr/bin/env bash
# Set everything up and serve the API on http://127.0.0.1:8000 (development: SQLite, DEBUG on,
# demo users alice/wonderland and bob/builder, admin/admin-dev-password). Ctrl-C stops it.
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
ensure_venv "$ROOT/requirements.txt"

export DEBUG="${DEBUG:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"  # one row never needs a thread pool
export BIND="${BIND:-127.0.0.1:8000}"

python manage.py migrate --noinput -v0
if [ ! -f "${ML_ARTIFACTS_DIR:-ml_artifacts}/LATEST" ]; then
  python manage.py train
fi
python manage.py create_users
python manage.py collectstatic --noinput -v0

echo "==> serving on http://$BIND  (API /api/, docs /api/docs/, admin /admin/)"
exec gunicorn --config docker/gunicorn.conf.py bikeproject.wsgi:application
