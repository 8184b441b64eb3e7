"""Compare predict/floor between git revisions: the framework floor and predict_token, taking turns.

For work on the request path, where a full benchmark run is too slow and too noisy to tell two
versions apart. Each revision is exported (``git archive``) into a temporary directory, trained once,
and served by gunicorn with the benchmark's settings; the revisions take turns (``--reps`` times), and
within one run ``floor`` and ``predict_token`` alternate (``--rounds`` of ``--seconds``). Besides
requests/s it reads each worker's CPU time from /proc, so it prints CPU microseconds per request too.
Prints one JSON line per run, then the mean ratio per revision. ``.`` stands for the working tree.

On the machine where it was written, two runs of the same revision differed by up to 0.015 in the
ratio: run each revision at least twice before believing a smaller difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import benchmark

SCENARIOS = [scenario for scenario in benchmark.SCENARIOS if scenario.name in ("floor", "predict_token")]


def export(revision: str, directory: Path) -> Path:
    """The tree of ``revision`` (``.``: the working tree, untracked files excluded) in ``directory``."""
    directory.mkdir(parents=True)
    if revision == ".":
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=benchmark.ROOT,
            capture_output=True,
            check=True,
        ).stdout
        for name in filter(None, listed.decode().split("\0")):
            source = benchmark.ROOT / name
            if source.is_file():
                (directory / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, directory / name)
        return directory
    archive = subprocess.run(["git", "archive", revision], cwd=benchmark.ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(tree: Path, work: Path, rounds: int, seconds: int) -> dict[str, Any]:
    benchmark.ROOT = tree
    for leftover in work.glob("benchmark.sqlite3*"):  # the database, its WAL, lock and spool directory
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    env = benchmark.environment(work, work / "ml_artifacts")
    if not (work / "ml_artifacts").exists():
        benchmark.train(env, work / "ml_artifacts")
    process, url = benchmark.start_server(env, work)
    try:
        token = benchmark.token_for(url)
        scripts = {scenario.name: benchmark.lua_script(scenario, token, work) for scenario in SCENARIOS}
        for scenario in SCENARIOS:
            benchmark.wrk(url + scenario.path, scripts[scenario.name], 1)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False)
        workers = [int(pid) for pid in children.stdout.split()]
        totals = {scenario.name: {"requests": 0, "seconds": 0.0, "cpu": 0.0} for scenario in SCENARIOS}
        for _ in range(rounds):
            for scenario in SCENARIOS:
                before = cpu_seconds(workers)
                result = benchmark.wrk(url + scenario.path, scripts[scenario.name], seconds)
                if result["errors"]:
                    raise SystemExit(f"{scenario.name}: {result['errors']} errors")
                total = totals[scenario.name]
                total["requests"] += result["requests"]
                total["seconds"] += result["seconds"]
                total["cpu"] += cpu_seconds(workers) - before
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    rates = {name: total["requests"] / total["seconds"] for name, total in totals.items()}
    return {
        "requests_per_second": {name: round(rate, 1) for name, rate in rates.items()},
        "worker_cpu_us_per_request": {
            name: round(total["cpu"] / total["requests"] * 1e6) for name, total in totals.items()
        },
        "predict_token_vs_floor": round(rates["predict_token"] / rates["floor"], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revisions", nargs="+", help="git revisions to compare; '.' is the working tree")
    parser.add_argument("--reps", type=int, default=2, help="runs per revision, the revisions taking turns")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per run, floor and predict taking turns")
    parser.add_argument("--seconds", type=int, default=4, help="whole seconds per scenario and round")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (scripts/benchmark.sh does it)")
    scratch = Path(tempfile.mkdtemp(prefix="bikeproject-compare-"))
    try:
        trees = {revision: export(revision, scratch / f"tree-{n}") for n, revision in enumerate(args.revisions)}
        ratios: dict[str, list[float]] = {revision: [] for revision in args.revisions}
        for _ in range(args.reps):
            for number, revision in enumerate(args.revisions):
                run = measure(trees[revision], scratch / f"work-{number}", args.rounds, args.seconds)
                ratios[revision].append(run["predict_token_vs_floor"])
                print(json.dumps({"revision": revision, **run}), flush=True)
        summary = {revision: round(statistics.mean(values), 3) for revision, values in ratios.items()}
        print(json.dumps({"mean_predict_token_vs_floor": summary}))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
