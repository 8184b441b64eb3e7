#!/usr/bin/env python3
"""The acceptance suite of the `cicd` container: the original service's CI/CD checks, over HTTP.

Standard library only, so it runs in any Python 3.11 image. It prints a readable log, check by check
(what was sent, what was expected, the result, SUCCESS or FAILURE), writes a JUnit XML report, and
exits 0 only when every check passed.

    API_URL=http://api:8000 DEMO_ALICE_PASSWORD=... DEMO_BOB_PASSWORD=... \
        python docker/cicd/acceptance.py --junit-xml reports/acceptance.xml
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FRIDAY_JUNE_15H_CLOUDY = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
MONDAY_OCTOBER_8H_RAINY = {"hour": 8, "weekday": "Monday", "month": "October", "weather": "Rainy"}
RULE = "=" * 72


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Check:
    name: str
    method: str
    path: str
    expected: str
    verify: Callable[[Reply], bool]
    user: str | None = None
    password: str | None = None
    body: Any = None
    accept: str = "application/json"


@dataclass
class Outcome:
    check: Check
    passed: bool
    seconds: float
    reply: Reply | None = None
    error: str = ""


@dataclass
class Client:
    base_url: str
    passwords: dict[str, str]
    timeout: float = 30.0
    request_ids: list[str] = field(default_factory=list)

    def send(self, check: Check) -> Reply:
        headers = {"Accept": check.accept}
        data = None
        if check.body is not None:
            data = json.dumps(check.body).encode()
            headers["Content-Type"] = "application/json"
        if check.user is not None:
            secret = check.password if check.password is not None else self.passwords[check.user]
            headers["Authorization"] = "Basic " + base64.b64encode(f"{check.user}:{secret}".encode()).decode()
        request = urllib.request.Request(self.base_url + check.path, data=data, method=check.method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - the API under test
                reply = Reply(response.status, _decode(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, _decode(error.read()), dict(error.headers))
        if isinstance(reply.body, dict) and "request_id" in reply.body:
            self.request_ids.append(str(reply.body["request_id"]))
        return reply


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _r2(reply: Reply) -> float:
    return float(reply.body["r2"]) if reply.status == 200 and isinstance(reply.body, dict) else float("nan")


def _predicted_for(user: str) -> Callable[[Reply], bool]:
    def verify(reply: Reply) -> bool:
        body = reply.body
        return (
            reply.status == 200
            and isinstance(body, dict)
            and isinstance(body.get("prediction"), int)
            and body["prediction"] >= 0
            and body.get("user") == user
        )

    return verify


def _history_is_alices_own(reply: Reply) -> bool:
    body = reply.body
    if reply.status != 200 or not isinstance(body, dict) or not body.get("results"):
        return False
    return all(row.get("user") == "alice" for row in body["results"])


def checks() -> list[Check]:
    return [
        Check(
            "status: the service is ready (models and database)",
            "GET",
            "/api/status/",
            "200 and status 1",
            lambda r: r.status == 200 and isinstance(r.body, dict) and r.body.get("status") == 1,
        ),
        Check(
            "alice: a Friday in June at 15h, cloudy",
            "POST",
            "/api/predict/",
            "200, a whole number of rentals, user alice",
            _predicted_for("alice"),
            user="alice",
            body=FRIDAY_JUNE_15H_CLOUDY,
        ),
        Check(
            "bob: a Monday in October at 8h, rainy",
            "POST",
            "/api/predict/",
            "200, a whole number of rentals, user bob",
            _predicted_for("bob"),
            user="bob",
            body=MONDAY_OCTOBER_8H_RAINY,
        ),
        Check(
            "score of Lasso",
            "GET",
            "/api/scores/Lasso/",
            "200 and 0 < r2 < 0.3",
            lambda r: 0 < _r2(r) < 0.3,
            user="alice",
        ),
        Check(
            "score of DecisionTreeRegressor",
            "GET",
            "/api/scores/DecisionTreeRegressor/",
            "200 and r2 > 0.79",
            lambda r: _r2(r) > 0.79,
            user="bob",
        ),
        Check(
            "a wrong user is refused",
            "POST",
            "/api/predict/",
            "401 with a Basic challenge",
            lambda r: r.status == 401 and r.headers.get("WWW-Authenticate", "").startswith("Basic"),
            user="mallory",
            password="not-a-password",  # noqa: S106 - deliberately wrong
            body=FRIDAY_JUNE_15H_CLOUDY,
        ),
        Check(
            "bad input names the field",
            "POST",
            "/api/predict/",
            "400 naming 'weather'",
            lambda r: r.status == 400 and "weather" in json.dumps(r.body),
            user="alice",
            body={**FRIDAY_JUNE_15H_CLOUDY, "weather": "Snowstorm"},
        ),
        Check(
            "history: alice sees her own requests only",
            "GET",
            "/api/predictions/?endpoint=predict",
            "200, at least one row, every row alice's",
            _history_is_alices_own,
            user="alice",
        ),
        Check(
            "docs: Swagger UI",
            "GET",
            "/api/docs/",
            "200, an HTML page loading swagger-ui from local static files",
            lambda r: r.status == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in str(r.body),
            accept="text/html",
        ),
        Check(
            "docs: OpenAPI schema",
            "GET",
            "/api/schema/",
            "200, an OpenAPI 3 document naming /api/predict/",
            lambda r: r.status == 200 and "/api/predict/" in str(r.body) and "openapi" in str(r.body),
            accept="application/vnd.oai.openapi",
        ),
    ]


def _shown(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def run_check(client: Client, check: Check, number: int, total: int) -> Outcome:
    print(RULE)
    print(f" check {number}/{total}: {check.name}")
    print(RULE)
    who = f" as {check.user} (password not shown)" if check.user else " (no credentials)"
    print(f"request:  {check.method} {check.path}{who}")
    if check.body is not None:
        print(f"body:     {_shown(check.body)}")
    print(f"expected: {check.expected}")
    started = time.perf_counter()
    try:
        reply = client.send(check)
    except OSError as exc:
        outcome = Outcome(check, False, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
        print(f"result:   no answer: {outcome.error}")
    else:
        passed = bool(check.verify(reply))
        outcome = Outcome(check, passed, time.perf_counter() - started, reply=reply)
        print(f"result:   {reply.status} {_shown(reply.body)}")
    print(f"==> {'SUCCESS' if outcome.passed else 'FAILURE'}\n")
    return outcome


def junit_xml(outcomes: list[Outcome], suite_name: str) -> ET.ElementTree[ET.Element[str]]:
    failures = sum(not outcome.passed for outcome in outcomes)
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        time=f"{sum(outcome.seconds for outcome in outcomes):.3f}",
    )
    for outcome in outcomes:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=outcome.check.name)
        case.set("time", f"{outcome.seconds:.3f}")
        if not outcome.passed:
            got = outcome.error or (f"{outcome.reply.status} {_shown(outcome.reply.body)}" if outcome.reply else "")
            failure = ET.SubElement(case, "failure", message=f"expected {outcome.check.expected}")
            failure.text = f"{outcome.check.method} {outcome.check.path}: got {got}"
    return ET.ElementTree(suite)


def wait_until_up(client: Client, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    probe = Check("wait", "GET", "/api/status/", "200", lambda r: r.status == 200)
    while time.monotonic() < deadline:
        try:
            if client.send(probe).status == 200:
                return True
        except OSError:
            pass
        time.sleep(1)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("API_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--junit-xml", type=Path, default=os.environ.get("JUNIT_XML") or None)
    parser.add_argument("--request-ids", type=Path, help="Write the request_id of every logged call here (JSON).")
    parser.add_argument("--wait", type=float, default=60.0, help="Seconds to wait for /api/status/ first.")
    parser.add_argument("--suite-name", default="acceptance")
    args = parser.parse_args(argv)

    missing = [name for name in ("DEMO_ALICE_PASSWORD", "DEMO_BOB_PASSWORD") if not os.environ.get(name)]
    if missing:
        print(f"acceptance: set {' and '.join(missing)} (the demo users' passwords the API was started with).")
        return 2
    passwords = {"alice": os.environ["DEMO_ALICE_PASSWORD"], "bob": os.environ["DEMO_BOB_PASSWORD"]}
    client = Client(args.url.rstrip("/"), passwords)
    print(f"acceptance suite against {client.base_url}\n")
    if not wait_until_up(client, args.wait):
        print(f"==> FAILURE: {client.base_url}/api/status/ did not answer 200 within {args.wait:.0f} s")
        outcomes = []
    else:
        suite = checks()
        outcomes = [run_check(client, check, number, len(suite)) for number, check in enumerate(suite, start=1)]

    passed = sum(outcome.passed for outcome in outcomes)
    ok = bool(outcomes) and passed == len(outcomes)
    print(RULE)
    print(f" {passed}/{len(outcomes)} checks passed against {client.base_url}: {'SUCCESS' if ok else 'FAILURE'}")
    print(RULE)
    if args.junit_xml:
        args.junit_xml.parent.mkdir(parents=True, exist_ok=True)
        junit_xml(outcomes, args.suite_name).write(args.junit_xml, encoding="utf-8", xml_declaration=True)
        print(f"JUnit XML report: {args.junit_xml}")
    if args.request_ids:
        args.request_ids.write_text(json.dumps(client.request_ids))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
