#!/usr/bin/env bash
# The one way the service starts, in the image and in the loopback rehearsal (scripts/rehearse.sh):
#   serve    (default) wait for the database -> migrate under a lock (unless MIGRATE_ON_START=0, then
#            wait until someone else has migrated) -> create users from the environment -> exec gunicorn
#   migrate  wait for the database -> migrate under a lock -> create users (the Kubernetes migrate Job)
#   <other>  run it as given (e.g. "python manage.py shell")
# Configuration comes only from environment variables (see the README's "Configuration").
set -euo pipefail
APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$APP_DIR"

DB_WAIT_TIMEOUT="${DB_WAIT_TIMEOUT:-60}"

say() { echo "[entrypoint $(date -u +%H:%M:%S)] $*"; }

migrate_and_create_users() {
  say "migrating (one replica at a time)"
  python manage.py migrate_locked
  create_users
}

create_users() {
  if [ "${CREATE_USERS:-1}" = "0" ]; then
    say "CREATE_USERS=0: users left as they are"
    return
  fi
  # The admin always; alice and bob only where their passwords are given (demo and acceptance setups).
  if [ -n "${DEMO_ALICE_PASSWORD:-}" ] || [ -n "${DEMO_BOB_PASSWORD:-}" ]; then
    python manage.py create_users
  else
    python manage.py create_users --skip-demo
  fi
}

command="${1:-serve}"
case "$command" in
  serve)
    say "waiting up to ${DB_WAIT_TIMEOUT}s for the database"
    if [ "${MIGRATE_ON_START:-1}" = "0" ]; then
      python manage.py wait_for_db --timeout "$DB_WAIT_TIMEOUT" --migrated
      create_users
    else
      python manage.py wait_for_db --timeout "$DB_WAIT_TIMEOUT"
      migrate_and_create_users
    fi
    say "starting gunicorn (WEB_CONCURRENCY=${WEB_CONCURRENCY:-2})"
    exec gunicorn --config "$APP_DIR/docker/gunicorn.conf.py" bikeproject.wsgi:application
    ;;
  migrate)
    python manage.py wait_for_db --timeout "$DB_WAIT_TIMEOUT"
    migrate_and_create_users
    ;;
  *)
    exec "$@"
    ;;
esac
