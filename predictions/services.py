"""Domain actions behind the API: ask the registry, shape plain data, write the request log."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from .ml import artifacts
from .ml.features import DemandQuery
from .ml.registry import ModelRegistry
from .models import JSONText, RequestLog
from .registry import get_registry
from .spool import active_spool
from .writes import database_row, insert_database_row


@dataclass
class LogDetails:
    """What a view learnt about a request, for its log row (filled in as far as the request got)."""

    features: Any = None
    model_name: str = ""
    artifact_version: str = ""


@dataclass(frozen=True)
class PredictionResult:
    model: str
    artifact_version: str
    queries: list[DemandQuery]
    predictions: list[int]
    features: list[tuple[int, ...]]


def _queries(registry: ModelRegistry, items: list[dict[str, Any]]) -> list[DemandQuery]:
    default_year = registry.default_year
    return [
        DemandQuery(
            hour=item["hour"],
            weekday=item["weekday"],
            month=item["month"],
            weather=item["weather"],
            year=item.get("year") or default_year,
            holiday=item.get("holiday", False),
            workingday=item.get("workingday"),
        )
        for item in items
    ]


def prediction_batch_create(items: list[dict[str, Any]], model: str | None, details: LogDetails) -> PredictionResult:
    """Predict rentals for validated inputs (codes from the input serializers), in order."""
    registry = get_registry()
    model_name = registry.resolve_name(model)
    details.model_name, details.artifact_version = model_name, registry.version
    queries = _queries(registry, items)
    rows = [query.as_row() for query in queries]
    details.features = rows
    predictions = registry.predict(rows, model_name)
    return PredictionResult(model_name, registry.version, queries, predictions, rows)


def prediction_create(item: dict[str, Any], model: str | None, details: LogDetails) -> PredictionResult:
    result = prediction_batch_create([item], model, details)
    details.features = _row_json(result.features[0])
    return result


@lru_cache(maxsize=4096)
def _row_json(row: tuple[int, ...]) -> JSONText:
    # The log's features column for one prediction; clients ask the same few questions, and encoding
    # seven small numbers through the json module costs more than remembering them (bounded).
    return JSONText(json.dumps(row))


def _score(registry: ModelRegistry, name: str) -> dict[str, Any]:
    metrics = registry.metrics(name)
    shuffled, chronological = metrics["shuffled"], metrics["chronological"]
    return {
        "model": name,
        "is_default": name == registry.default_model,
        "artifact_version": registry.version,
        "r2": shuffled["r2"],
        "mae": shuffled["mae"],
        "rmse": shuffled["rmse"],
        "score": shuffled["r2"],
        "chronological_r2": chronological["r2"],
        "chronological_mae": chronological["mae"],
        "chronological_rmse": chronological["rmse"],
    }


def scores_get(model: str, details: LogDetails) -> dict[str, Any]:
    """One model's scores; raises UnknownModelError for a name not in the catalogue."""
    registry = get_registry()
    details.artifact_version = registry.version
    name = registry.resolve_name(model)
    details.model_name = name
    return _score(registry, name)


def scores_list(details: LogDetails) -> dict[str, Any]:
    registry = get_registry()
    details.artifact_version = registry.version
    return {
        "artifact_version": registry.version,
        "default_model": registry.default_model,
        "default_model_rule": registry.manifest["default_model_rule"],
        "models": [_score(registry, name) for name in registry.model_names],
    }


def models_info() -> dict[str, Any]:
    registry = get_registry()
    manifest = registry.manifest
    return {
        "artifact_version": registry.version,
        "created_at": manifest["created_at"],
        "default_model": registry.default_model,
        "default_model_rule": manifest["default_model_rule"],
        "models": registry.model_names,
        "features": manifest["features"],
        "feature_defaults": manifest["feature_defaults"],
        "data": manifest["data"],
        "evaluation": manifest["evaluation"],
        "versions": manifest["versions"],
    }


def service_status() -> tuple[bool, dict[str, Any]]:
    """Readiness: the models load and the database answers. Returns (ready, body)."""
    problems: list[str] = []
    body: dict[str, Any] = {}
    try:
        registry = get_registry()
        body.update(
            artifact_version=registry.version, default_model=registry.default_model, models=registry.model_names
        )
    except artifacts.ArtifactError as exc:
        problems.append(f"models: {exc}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported by name
        problems.append(f"database: {type(exc).__name__}: {str(exc).strip()[:200]}")
    if problems:
        return False, {"status": 0, "problems": problems}
    return True, {"status": 1, **body}


def request_log_create(
    *,
    request_id: uuid.UUID,
    user_id: int | None,
    endpoint: str,
    status_code: int,
    inputs: Any,
    output: Any,
    latency_ms: float,
    details: LogDetails,
) -> None:
    """The row, written before the response leaves: spooled (gunicorn on SQLite) or INSERTed.

    Errors are Django's ``DatabaseError`` family, whichever way the row went.
    """
    values = {
        "id": request_id,
        "user": user_id,
        "endpoint": endpoint,
        "status_code": status_code,
        "inputs": inputs,
        "features": details.features,
        "output": output,
        "model_name": details.model_name,
        "artifact_version": details.artifact_version,
        "latency_ms": round(latency_ms, 3),
        "created_at": timezone.now(),
    }
    row = database_row(RequestLog, values)
    spool = active_spool()
    try:
        if spool is not None and spool.append(row):
            return
    except OSError as exc:
        raise DatabaseError(f"request log spool: {exc}") from exc
    insert_database_row(RequestLog, row)


def day_curve(weekday: int, month: int, weather: int, model: str | None = None) -> tuple[str, list[int]]:
    """Predicted rentals for each hour 0-23 of one day, by the given model (default: the default model)."""
    registry = get_registry()
    name = registry.resolve_name(model)
    queries = [
        DemandQuery(hour=hour, weekday=weekday, month=month, weather=weather, year=registry.default_year)
        for hour in range(24)
    ]
    return name, registry.predict([query.as_row() for query in queries], name)
