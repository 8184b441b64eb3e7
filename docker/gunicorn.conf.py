"""gunicorn settings for every way the service runs (image, rehearsal, scripts/serve.sh, e2e tests).

Everything tunable comes from the environment; nothing here reads the host's core count, because a
container sees the node's cores, not its CPU limit.
"""

import gc
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then; the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
# The app (and, below, the models) load once in the master; forked workers share the pages.
preload_app = True
# Heartbeat files in memory, not on a (possibly read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice
# No runtime control socket: nothing uses gunicornc, and its default path ($HOME/.gunicorn) is shared
# by every instance on a host and unwritable on a read-only root filesystem.
control_socket_disable = True
# A request line longer than this is refused with 414 before Django sees it (documented in the
# OpenAPI schema); 8190 bytes is gunicorn's maximum and nginx's default buffer.
limit_request_line = 8190  # predictions/schema.py documents it as REQUEST_LINE_MAX_BYTES
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    # Runs in the master after the app is imported and before any worker is forked.
    from predictions.deployment import models_preload  # noqa: PLC0415 - Django is set up only now

    server.log.info(models_preload())
    # Move everything loaded so far out of the garbage collector's sight: a collection in a worker
    # would otherwise write to every inherited object's header and copy its page (copy-on-write),
    # un-sharing the models and Django from the master one collection at a time.
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    # In each worker, on SQLite: WAL checkpoints (and their fsyncs) in a thread, off the request path
    # (predictions/writes.py), and the request log spooled, with the same thread copying the spool into
    # the database before each checkpoint (predictions/spool.py). Nothing on PostgreSQL;
    # SQLITE_CHECKPOINT_INTERVAL_MS=0 turns both off, REQUEST_LOG_SPOOL=0 the spool alone.
    from django.conf import settings  # noqa: PLC0415 - Django is set up only now

    from predictions.spool import start_spooling  # noqa: PLC0415
    from predictions.writes import start_background_checkpoints  # noqa: PLC0415

    interval = settings.SQLITE_CHECKPOINT_INTERVAL_MS / 1000
    spool = start_spooling() if interval > 0 else None
    start_background_checkpoints(interval, before_checkpoint=spool.copy_with if spool is not None else None)


def worker_exit(server, worker):
    # A worker that stops (restart, scale down, max_requests) copies the request log's spool in, so a
    # stopped service leaves its rows in the database rather than beside it. Nothing is lost without
    # this (the next worker or reader copies them), it is only sooner.
    from predictions.spool import copy_in  # noqa: PLC0415 - Django is set up only now

    try:
        copy_in()
    except Exception:  # the rows stay in the spool for the next copy: say why, and exit
        server.log.exception("request log spool not copied in at worker exit")
