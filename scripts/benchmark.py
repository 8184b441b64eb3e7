"""Benchmark: the service under gunicorn on 127.0.0.1, driven by wrk, plus in-process measurements.

Prints one JSON document (and writes it to test-reports/benchmark.json): per HTTP scenario the
requests/s, p50/p90/p99 latency and errors; ratios measured in the same run (the machine is noisy,
ratios are what the targets are about); per-model single-row and 1,000-row predict latency; training
time; worker memory after start and after every scenario. --quick runs short scenarios (CI) and
fails only on errors; a full run also reports every target as met or not.

Each scenario runs in several short rounds, the scenarios taking turns, so that a slow spell of a
shared machine falls on all of them alike: requests and errors are summed over the rounds, the
latency percentiles are the median of the rounds' own, and the ratios come from the sums.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "test-reports" / "benchmark.json"
WORKERS = 2
CONNECTIONS = 8
PASSWORD = secrets.token_urlsafe(16)
PREDICT_BODY = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
BATCH_BODY = {
    "items": [
        {"hour": i % 24, "weekday": WEEKDAYS[i % 7], "month": i % 12 + 1, "weather": i % 4 + 1} for i in range(1000)
    ]
}
LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "socket_errors": %d, "non_2xx": %d, '
    .. '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    auth: str  # "", "token" or "basic"
    body: Any = None
    items: int = 1


SCENARIOS = [
    Scenario("status", "GET", "/api/status/", ""),
    Scenario("floor", "GET", "/api/me/", "token"),
    Scenario("predict_token", "POST", "/api/predict/", "token", PREDICT_BODY),
    Scenario("predict_basic", "POST", "/api/predict/", "basic", PREDICT_BODY),
    Scenario("batch_1000", "POST", "/api/predict/batch/", "token", BATCH_BODY, items=1000),
    Scenario("scores", "GET", "/api/scores/", "token"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    # Progress goes to stderr: stdout carries only the JSON document.
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=sys.stderr, check=True, timeout=600)


def environment(work: Path, artifacts: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",  # plain HTTP on loopback; TLS is the proxy's job
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{work / 'benchmark.sqlite3'}"),
        "ML_ARTIFACTS_DIR": str(artifacts),
        "STATIC_ROOT": str(work / "static"),
        "ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "DEMO_ALICE_PASSWORD": PASSWORD,
        "DEMO_BOB_PASSWORD": secrets.token_urlsafe(16),
        "WEB_CONCURRENCY": str(WORKERS),
        "OMP_NUM_THREADS": "1",
        # The load generator is one client: limits would measure the limiter, not the service.
        "THROTTLE_USER_RATE": "100000000/min",
        "THROTTLE_ANON_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
    }


def train(env: dict[str, str], artifacts: Path) -> float:
    started = time.perf_counter()
    manage(env, "train", "--output", str(artifacts), "--artifact-version", "benchmark")
    return time.perf_counter() - started


def start_server(env: dict[str, str], work: Path) -> tuple[subprocess.Popen[bytes], str]:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "create_users")
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "docker/gunicorn.conf.py", "bikeproject.wsgi:application"]
    log_file = (work / "gunicorn.log").open("w")
    server_env = {**env, "BIND": f"127.0.0.1:{port}"}
    process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/api/status/", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not become ready; see {work / 'gunicorn.log'}")


def token_for(url: str) -> str:
    body = json.dumps({"username": "alice", "password": PASSWORD}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        url + "/api/auth/token/", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return str(json.loads(response.read())["token"])


def lua_script(scenario: Scenario, token: str, directory: Path) -> Path:
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.auth == "token":
        lines.append(f'wrk.headers["Authorization"] = "Token {token}"')
    elif scenario.auth == "basic":
        secret = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
        lines.append(f'wrk.headers["Authorization"] = "Basic {secret}"')
    lines.append('wrk.headers["Accept"] = "application/json"')
    if scenario.body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = [==[{json.dumps(scenario.body)}]==]")
    path = directory / f"{scenario.name}.lua"
    path.write_text("\n".join(lines) + "\n" + LUA_DONE)
    return path


def wrk(url: str, script: Path, seconds: int) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    match = re.search(r"BENCH_JSON (\{.*\})", output)
    if match is None:
        raise SystemExit(f"wrk printed no summary:\n{output}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["errors"] = result.pop("socket_errors") + result.pop("non_2xx")
    return result


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's rounds as one result: totals, and the median of each latency percentile."""
    requests = sum(result["requests"] for result in rounds)
    seconds = sum(result["seconds"] for result in rounds)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "requests_per_second": round(requests / seconds, 1),
        "errors": sum(result["errors"] for result in rounds),
        **{key: statistics.median(result[key] for result in rounds) for key in ("p50_ms", "p90_ms", "p99_ms")},
        "rounds": len(rounds),
    }


def measure(url: str, scripts: dict[str, Path], rounds: int, seconds_per_round: int) -> dict[str, Any]:
    results: dict[str, list[dict[str, Any]]] = {scenario.name: [] for scenario in SCENARIOS}
    for number in range(rounds):
        for scenario in SCENARIOS:
            results[scenario.name].append(wrk(url + scenario.path, scripts[scenario.name], seconds_per_round))
        log(
            f"round {number + 1}/{rounds}: "
            + ", ".join(f"{name} {rounds_[-1]['requests']}" for name, rounds_ in results.items())
        )
    http = {name: combined(rounds_) for name, rounds_ in results.items()}
    for scenario in SCENARIOS:
        if scenario.items > 1:
            http[scenario.name]["items_per_second"] = round(
                http[scenario.name]["requests_per_second"] * scenario.items, 1
            )
    http["predict_token"]["ratio_to_floor_by_round"] = [
        round((token["requests"] / token["seconds"]) / (floor["requests"] / floor["seconds"]), 3)
        for token, floor in zip(results["predict_token"], results["floor"], strict=True)
    ]
    return http


def memory_kib(pid: int) -> dict[str, int]:
    """RSS and USS (private pages only: what this process alone costs) from /proc."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.endswith("kB")}
    return {"rss_kib": fields["Rss"], "uss_kib": fields["Private_Clean"] + fields["Private_Dirty"]}


def workers_memory(master: int) -> dict[str, Any]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
    return {
        "master": memory_kib(master),
        "workers": [memory_kib(int(pid)) for pid in children.split()],
    }


def in_process(artifacts: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    from predictions.ml.registry import ModelRegistry  # noqa: PLC0415

    threadpool_limits(1)
    registry = ModelRegistry.load(artifacts)
    one = [[15, 5, 6, 2, 1, 0, 1]]
    thousand = [[i % 24, i % 7, i % 12 + 1, i % 4 + 1, i % 2, 0, 1] for i in range(1000)]
    report: dict[str, Any] = {}
    for name in registry.model_names:
        report[name] = {
            "one_row_ms": _median_ms(lambda name=name: registry.predict(one, name), 2000),
            "thousand_rows_ms": _median_ms(lambda name=name: registry.predict(thousand, name), 200),
            "pipeline_one_row_ms": _median_ms(lambda name=name: registry.predict_with_pipeline(one, name), 50),
        }
    return report


def _median_ms(call: Any, repeat: int) -> float:
    call()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 4)


def targets(http: dict[str, Any], models: dict[str, Any], memory: dict[str, Any], training: float) -> dict[str, Any]:
    floor = http["floor"]["requests_per_second"]
    token = http["predict_token"]["requests_per_second"]
    basic = http["predict_basic"]["requests_per_second"]
    batch_per_worker = http["batch_1000"]["requests_per_second"] * 1000 / WORKERS
    slowest = max(model["one_row_ms"] for model in models.values())
    growth = max(memory["growth_kib_per_worker"]) / 1024

    def target(value: float, goal: str, met: bool) -> dict[str, Any]:
        return {"value": round(value, 3), "target": goal, "met": met}

    return {
        "predict_token_vs_floor": target(token / floor, ">= 0.80", token / floor >= 0.80),
        "predict_basic_vs_token": target(basic / token, ">= 0.50", basic / token >= 0.50),
        "batch_predictions_per_second_per_worker": target(batch_per_worker, ">= 50000", batch_per_worker >= 50_000),
        "slowest_single_row_predict_ms": target(slowest, "< 1 ms (every model)", slowest < 1),
        "worker_memory_growth_mib": target(growth, "flat (< 16 MiB over the run)", growth < 16),
        "training_seconds": target(training, "< 60", training < 60),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="2 rounds of 1 second per scenario (CI): fail only on errors."
    )
    parser.add_argument("--seconds", type=int, help="Whole seconds per scenario and round (default 2, quick 1).")
    parser.add_argument("--rounds", type=int, help="Rounds, the scenarios taking turns (default 5, quick 2).")
    args = parser.parse_args()
    seconds = args.seconds or (1 if args.quick else 2)
    rounds = args.rounds or (2 if args.quick else 5)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (scripts/benchmark.sh does it)")

    work = Path(tempfile.mkdtemp(prefix="bikeproject-bench-"))
    artifacts = work / "ml_artifacts"
    env = environment(work, artifacts)
    log(f"==> training into {artifacts}")
    training = train(env, artifacts)
    log("==> starting gunicorn")
    process, url = start_server(env, work)
    try:
        token = token_for(url)
        memory_after_start = workers_memory(process.pid)
        scripts = {scenario.name: lua_script(scenario, token, work) for scenario in SCENARIOS}
        for scenario in SCENARIOS:  # warm-up: connections, caches, allocator arenas sized for a batch
            wrk(url + scenario.path, scripts[scenario.name], 1)
        memory_start = workers_memory(process.pid)
        http = measure(url, scripts, rounds, seconds)
        for name, result in http.items():
            log(f"{name:>14}: {json.dumps(result)}")
        memory_end = workers_memory(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    requests_served = sum(result["requests"] for result in http.values())
    memory = {
        "after_start": memory_after_start,
        "after_warm_up": memory_start,
        "after_all_scenarios": memory_end,
        "requests_between": requests_served,
        "growth_kib_per_worker": [
            end["rss_kib"] - start["rss_kib"]
            for start, end in zip(memory_start["workers"], memory_end["workers"], strict=False)
        ],
    }
    models = in_process(artifacts)
    goals = targets(http, models, memory, training)
    report = {
        "mode": "quick" if args.quick else "full",
        "settings": {
            "workers": WORKERS,
            "connections": CONNECTIONS,
            "rounds": rounds,
            "seconds_per_round": seconds,
            "seconds_per_scenario": rounds * seconds,
            "database": env["DATABASE_URL"].split(":")[0],
            "cpus": os.cpu_count(),
        },
        "http": http,
        "ratios": {
            "predict_token_vs_floor": round(
                http["predict_token"]["requests_per_second"] / http["floor"]["requests_per_second"], 3
            ),
            "predict_basic_vs_token": round(
                http["predict_basic"]["requests_per_second"] / http["predict_token"]["requests_per_second"], 3
            ),
        },
        "in_process_predict": models,
        "training_seconds": round(training, 2),
        "memory": memory,
        "targets": goals,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    errors = sum(result["errors"] for result in http.values())
    if errors:
        log(f"FAILED: {errors} errors")
        return 1
    log(f"benchmark done: 0 errors in {requests_served} requests; report in {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
