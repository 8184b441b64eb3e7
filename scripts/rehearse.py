"""Rehearse the container topology on loopback, without a Docker engine.

What docker-compose and Kubernetes would run, with the same files: artifacts trained and static files
collected as the image build does, one PostgreSQL database, three API instances started through
docker/entrypoint.sh at the same moment (so their migrations race as in a rollout), then the cicd
acceptance suite (docker/cicd/acceptance.py) against each instance. It passes when every check passes
on all three, exactly one instance applied the migrations and none failed, and the one request log
holds the requests of all three. Everything listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = 3
POSTGRES = os.environ.get("REHEARSAL_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bikeproject_rehearsal"
REPORTS = ROOT / "test-reports" / "rehearsal"
START_TIMEOUT_SECONDS = 120
ACCEPTANCE_TIMEOUT_SECONDS = 120
APPLIED_MARK = "migrations applied by this instance"
NOTHING_MARK = "migrations: nothing to apply"


@dataclass
class Instance:
    number: int
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_url() -> str:
    """The machine's Redis as the shared cache, as in Kubernetes; none if it does not answer."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/15"
    except OSError:
        return ""


def base_environment() -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DEMO_", "ADMIN_", "DATABASE"))}
    return {
        **keep,
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
        "DEBUG": "0",
        "HTTPS": "0",  # plain HTTP on loopback; TLS is the ingress's job
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": redis_url(),
        "ML_ARTIFACTS_DIR": str(REPORTS / "ml_artifacts"),
        "STATIC_ROOT": str(REPORTS / "static"),
        "ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "DEMO_ALICE_PASSWORD": secrets.token_urlsafe(16),
        "DEMO_BOB_PASSWORD": secrets.token_urlsafe(16),
        "WEB_CONCURRENCY": "2",
        "OMP_NUM_THREADS": "1",
        "DB_WAIT_TIMEOUT": "30",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
    }


def build_like_the_image(env: dict[str, str]) -> None:
    """What the Dockerfile's build stage does: train the artifacts and collect static files."""
    step("build: train the artifacts and collect static files (as docker/Dockerfile does)")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "train", "--artifact-version", "rehearsal"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)


def fresh_database() -> None:
    step(f"database: a fresh {DATABASE} on {POSTGRES}")
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def start_together(env: dict[str, str]) -> list[Instance]:
    step(f"start {INSTANCES} instances through docker/entrypoint.sh at the same moment")
    instances = [Instance(n, free_port(), REPORTS / f"instance-{n}.log") for n in range(1, INSTANCES + 1)]
    for instance in instances:
        with instance.log_path.open("w") as log:
            instance.process = subprocess.Popen(
                ["bash", str(ROOT / "docker" / "entrypoint.sh")],
                cwd="/",  # the entrypoint finds the app itself, as in the image
                env={**env, "BIND": f"127.0.0.1:{instance.port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        print(f"instance {instance.number}: {instance.url} (pid {instance.process.pid})")
    return instances


def wait_ready(instances: list[Instance]) -> list[str]:
    problems = []
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    for instance in instances:
        while instance.process is not None:
            if instance.process.poll() is not None:
                problems.append(f"instance {instance.number} exited with {instance.process.returncode}")
                break
            try:
                with urllib.request.urlopen(instance.url + "/api/status/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        print(f"instance {instance.number}: ready")
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                problems.append(f"instance {instance.number} not ready within {START_TIMEOUT_SECONDS} s")
                break
            time.sleep(0.5)
    return problems


def run_acceptance(instance: Instance, env: dict[str, str]) -> tuple[bool, list[str]]:
    step(f"cicd acceptance suite against instance {instance.number} ({instance.url})")
    ids_path = REPORTS / f"request-ids-{instance.number}.json"
    command = [
        sys.executable,
        str(ROOT / "docker" / "cicd" / "acceptance.py"),
        "--url",
        instance.url,
        "--junit-xml",
        str(REPORTS / f"acceptance-{instance.number}.xml"),
        "--request-ids",
        str(ids_path),
        "--suite-name",
        f"acceptance.instance{instance.number}",
    ]
    result = subprocess.run(command, env=env, timeout=ACCEPTANCE_TIMEOUT_SECONDS, check=False)
    request_ids = json.loads(ids_path.read_text()) if ids_path.exists() else []
    return result.returncode == 0, request_ids


def migration_problems(instances: list[Instance]) -> list[str]:
    step("migrations: exactly one instance applied them, the others found nothing to do")
    problems = []
    applied = [i.number for i in instances if APPLIED_MARK in i.log()]
    nothing = [i.number for i in instances if NOTHING_MARK in i.log()]
    print(f"applied by instance(s) {applied}; nothing to apply for instance(s) {nothing}")
    if len(applied) != 1 or len(nothing) != INSTANCES - 1:
        problems.append(f"expected one migrator and {INSTANCES - 1} no-ops, got {applied} and {nothing}")
    for instance in instances:
        if "Traceback" in instance.log():
            problems.append(f"instance {instance.number} logged a traceback (see {instance.log_path})")
    with psycopg.connect(f"{POSTGRES}/{DATABASE}") as connection:
        duplicates = connection.execute(
            "SELECT app, name, count(*) FROM django_migrations GROUP BY app, name HAVING count(*) > 1"
        ).fetchall()
        total = connection.execute("SELECT count(*) FROM django_migrations").fetchone()
    print(f"django_migrations: {total[0] if total else 0} rows, {len(duplicates)} recorded twice")
    if duplicates:
        problems.append(f"migrations recorded more than once: {duplicates}")
    return problems


def request_log_problems(ids_by_instance: dict[int, list[str]]) -> list[str]:
    step("request log: the one database holds the requests of all three instances")
    problems = []
    with psycopg.connect(f"{POSTGRES}/{DATABASE}") as connection:
        for number, request_ids in ids_by_instance.items():
            found = connection.execute(
                "SELECT count(*) FROM predictions_requestlog WHERE id = ANY(%s::uuid[])", [request_ids]
            ).fetchone()
            count = found[0] if found else 0
            print(f"instance {number}: {len(request_ids)} request_ids returned, {count} rows found")
            if not request_ids or count != len(request_ids):
                problems.append(f"instance {number}: {count} of {len(request_ids)} requests are in the log")
        total = connection.execute("SELECT count(*) FROM predictions_requestlog").fetchone()
    print(f"predictions_requestlog: {total[0] if total else 0} rows in all")
    return problems


def stop(instances: list[Instance]) -> None:
    for instance in instances:
        if instance.process is not None and instance.process.poll() is None:
            os.killpg(instance.process.pid, signal.SIGTERM)
    for instance in instances:
        if instance.process is None:
            continue
        try:
            instance.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(instance.process.pid, signal.SIGKILL)
            instance.process.wait(timeout=5)


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    env = base_environment()
    print(f"rehearsal: reports and logs in {REPORTS}; shared cache: {env['REDIS_URL'] or 'none (no Redis)'}")
    build_like_the_image(env)
    fresh_database()
    instances = start_together(env)
    problems: list[str] = []
    try:
        problems += wait_ready(instances)
        ids_by_instance = {}
        if not problems:
            for instance in instances:
                passed, ids_by_instance[instance.number] = run_acceptance(instance, env)
                if not passed:
                    problems.append(f"acceptance failed against instance {instance.number}")
            problems += migration_problems(instances)
            problems += request_log_problems(ids_by_instance)
    finally:
        stop(instances)
    step("rehearsal " + ("PASSED" if not problems else "FAILED"))
    for problem in problems:
        print(f"  - {problem}")
    if problems:
        for instance in instances:
            print(f"\n--- last lines of {instance.log_path} ---\n{instance.log()[-2500:]}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
