"""A table of hostile inputs for every endpoint: each gets a 4xx JSON error naming the problem, never a 500,
and each call to a logged endpoint still leaves its log row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from predictions.models import RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY

ONE_MEGABYTE = 1024 * 1024
LOGGED_PREFIXES = ("/api/predict/", "/api/scores/")


@dataclass(frozen=True)
class Hostile:
    name: str
    method: str
    path: str
    status: int
    names: str  # what the error message must mention
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"


def predict(name: str, body: Any, names: str, status: int = 400) -> Hostile:
    return Hostile(name, "POST", "/api/predict/", status, names, body=body)


def raw_predict(
    name: str, raw: bytes, names: str, status: int = 400, content_type: str = "application/json"
) -> Hostile:
    return Hostile(name, "POST", "/api/predict/", status, names, raw=raw, content_type=content_type)


def get(name: str, path: str, status: int, names: str) -> Hostile:
    return Hostile(name, "GET", path, status, names)


BATCH_ITEM = {"hour": 8, "weekday": "Monday", "month": "October", "weather": "Rainy"}
CASES = [
    predict("hour out of range", {**FRIDAY_JUNE_15H_CLOUDY, "hour": 24}, "hour"),
    predict("negative hour", {**FRIDAY_JUNE_15H_CLOUDY, "hour": -1}, "hour"),
    predict("hour as words", {**FRIDAY_JUNE_15H_CLOUDY, "hour": "three pm"}, "hour"),
    predict("fractional hour", {**FRIDAY_JUNE_15H_CLOUDY, "hour": 15.5}, "hour"),
    predict("huge hour", {**FRIDAY_JUNE_15H_CLOUDY, "hour": 10**400}, "hour"),
    predict("hour as a list", {**FRIDAY_JUNE_15H_CLOUDY, "hour": [15]}, "hour"),
    predict("hour as an object", {**FRIDAY_JUNE_15H_CLOUDY, "hour": {"h": 15}}, "hour"),
    raw_predict(  # parsed, 1e400 is inf: the log must keep the text as sent (Infinity is not JSON)
        "number beyond float range",
        b'{"hour": 1e400, "weekday": "Friday", "month": "June", "weather": "Cloudy"}',
        "hour",
    ),
    predict("unknown weekday", {**FRIDAY_JUNE_15H_CLOUDY, "weekday": "Funday"}, "weekday"),
    predict("weekday out of range", {**FRIDAY_JUNE_15H_CLOUDY, "weekday": 7}, "weekday"),
    predict("month 13", {**FRIDAY_JUNE_15H_CLOUDY, "month": 13}, "month"),
    predict("empty weather", {**FRIDAY_JUNE_15H_CLOUDY, "weather": ""}, "weather"),
    predict("null weather", {**FRIDAY_JUNE_15H_CLOUDY, "weather": None}, "weather"),
    predict("year outside the data", {**FRIDAY_JUNE_15H_CLOUDY, "year": 1999}, "year"),
    predict("holiday not a boolean", {**FRIDAY_JUNE_15H_CLOUDY, "holiday": "perhaps"}, "holiday"),
    predict("missing hour", {k: v for k, v in FRIDAY_JUNE_15H_CLOUDY.items() if k != "hour"}, "hour"),
    predict("extra field", {**FRIDAY_JUNE_15H_CLOUDY, "temperature": 30}, "temperature"),
    predict("unknown model", {**FRIDAY_JUNE_15H_CLOUDY, "model": "GPT"}, "Unknown model 'GPT'. Accepted: Decision"),
    predict("control characters", {**FRIDAY_JUNE_15H_CLOUDY, "weekday": "Fri\x00\x1b[31mday"}, "weekday"),
    predict("unicode", {**FRIDAY_JUNE_15H_CLOUDY, "weather": "☀️ ensoleillé 晴れ"}, "weather"),
    predict("SQL fragment", {**FRIDAY_JUNE_15H_CLOUDY, "month": "June'; DROP TABLE x;--"}, "month"),
    predict("HTML fragment", {**FRIDAY_JUNE_15H_CLOUDY, "weather": "<script>alert(1)</script>"}, "weather"),
    predict("a JSON array", [FRIDAY_JUNE_15H_CLOUDY], "dictionary"),
    predict("a JSON string", "Friday 15h", "dictionary"),
    predict("a JSON number", 15, "dictionary"),
    predict("an empty object", {}, "hour"),
    raw_predict("an empty body", b"", "hour"),
    raw_predict("not JSON", b"hour=15&weekday=Friday", "JSON parse error"),
    raw_predict("truncated JSON", b'{"hour": 15, "weekday": ', "JSON parse error"),
    raw_predict("NaN", b'{"hour": NaN, "weekday": "Friday", "month": "June", "weather": 1}', "JSON parse error"),
    raw_predict("invalid UTF-8", b'{"weekday": "\xff\xfe"}', "JSON parse error"),
    raw_predict("deeply nested JSON", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    raw_predict("a 1 MB body", b'{"pad": "' + b"x" * ONE_MEGABYTE + b'"}', "too large", status=413),
    raw_predict("a 1 MB form", b"pad=" + b"x" * ONE_MEGABYTE, "too large", 413, "application/x-www-form-urlencoded"),
    raw_predict("XML", b"<hour>15</hour>", "application/xml", status=415, content_type="application/xml"),
    Hostile("a batch of 1001", "POST", "/api/predict/batch/", 400, "1000", body={"items": [BATCH_ITEM] * 1001}),
    Hostile("batch items not a list", "POST", "/api/predict/batch/", 400, "items", body={"items": BATCH_ITEM}),
    Hostile("batch without items", "POST", "/api/predict/batch/", 400, "items", body={}),
    Hostile(
        "batch bad item",
        "POST",
        "/api/predict/batch/",
        400,
        "items[1].month",
        body={"items": [BATCH_ITEM, {**BATCH_ITEM, "month": 0}]},
    ),
    Hostile(
        "batch unknown model", "POST", "/api/predict/batch/", 400, "Nope", body={"items": [BATCH_ITEM], "model": "Nope"}
    ),
    get("unknown model's scores", "/api/scores/NoSuchModel/", 404, "NoSuchModel"),
    get("model name with SQL", "/api/scores/x'%20OR%201=1--/", 404, "OR 1=1"),
    get("page not a number", "/api/predictions/?page=abc", 404, "page"),
    get("page past the end", "/api/predictions/?page=999", 404, "page"),
    get("page zero", "/api/predictions/?page=0", 404, "page"),
    get("page_size not a number", "/api/predictions/?page_size=ten", 400, "page_size"),
    get("negative page_size", "/api/predictions/?page_size=-5", 400, "page_size"),
    get("status filter not a number", "/api/predictions/?status=ok", 400, "status"),
    get("status filter not whole", "/api/predictions/?status=200.0", 400, "status"),
    get("status filter given twice", "/api/predictions/?status=abc&status=200", 400, "status"),
    get("page_size given twice", "/api/predictions/?page_size=5&page_size=7", 400, "page_size"),
    get("unknown endpoint filter", "/api/predictions/?endpoint=admin", 400, "endpoint"),
    get("date filter not a date", "/api/predictions/?created_after=yesterday", 400, "created_after"),
    get("date that overflows in UTC", "/api/predictions/?created_after=0001-01-01T00:00:00%2B05:00", 400, "UTC"),
    get("record id not a UUID", "/api/predictions/1%20OR%201=1/", 404, "found"),
    Hostile("token without credentials", "POST", "/api/auth/token/", 400, "username", body={}),
    Hostile(
        "username of a control character",  # not trimmed to blank (400): it matches nobody (401)
        "POST",
        "/api/auth/token/",
        401,
        "credentials",
        body={"username": "\x1d", "password": "secret"},
    ),
    Hostile("history is read-only", "DELETE", "/api/predictions/", 405, "DELETE"),
]


def send(client: APIClient, case: Hostile) -> Any:
    if case.raw is not None:
        return client.generic(case.method, case.path, case.raw, content_type=case.content_type)
    if case.body is None:
        return client.generic(case.method, case.path)
    return client.generic(case.method, case.path, json.dumps(case.body), content_type=case.content_type)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_gets_a_4xx_json_error_naming_the_problem(token_client: APIClient, case: Hostile) -> None:
    logged_before = RequestLog.objects.count()
    response = send(token_client, case)

    assert response.status_code == case.status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert case.names in body["detail"], body
    expected_rows = logged_before + (1 if case.path.startswith(LOGGED_PREFIXES) else 0)
    assert RequestLog.objects.count() == expected_rows
    if case.path.startswith(LOGGED_PREFIXES):
        row = RequestLog.objects.get(id=body["request_id"])
        assert row.status_code == case.status


def test_the_log_encoder_replaces_nul_only() -> None:
    from predictions.models import JSONText, LogJSONEncoder  # noqa: PLC0415

    encoded = json.dumps({"k\x00": ["a\x00b", "c\\u0000d", "\\\x00"]}, cls=LogJSONEncoder)
    assert json.loads(encoded) == {"k\ufffd": ["a\ufffdb", "c\\u0000d", "\\\ufffd"]}
    as_sent = JSONText('{"k\\u0000": "c\\\\u0000d"}')  # JSON text stored as sent: the same rule
    assert json.loads(json.dumps(as_sent, cls=LogJSONEncoder)) == {"k\ufffd": "c\\u0000d"}
