"""The artifact version a process serves: verified once, held in memory, asked for predictions."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import artifacts, tables

# A failed load is not retried on every request (reading and hashing every model is costly);
# a fixed pause lets a server pick up freshly trained models without a restart.
RETRY_FAILED_LOAD_AFTER_SECONDS = 15.0


class UnknownModelError(LookupError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"Unknown model {name!r}. Known models: {', '.join(self.known)}.")


# Table entries checked against the fitted pipeline at load: every 997th row of the grid (65 rows).
TABLE_CHECK_STEP = 997


@dataclass(frozen=True)
class ModelRegistry:
    version_dir: Path
    manifest: dict[str, Any]
    models: dict[str, Pipeline]
    tables: dict[str, NDArray[np.int32]]

    @classmethod
    def load(cls, root: Path, version: str | None = None) -> ModelRegistry:
        version_dir = artifacts.resolve_version_dir(root, version)
        manifest = artifacts.read_manifest(version_dir)
        artifacts.check_runtime(manifest, version_dir)
        models: dict[str, Pipeline] = {}
        prediction_tables: dict[str, NDArray[np.int32]] = {}
        sample = tables.feature_grid()[::TABLE_CHECK_STEP]
        for name, entry in manifest["models"].items():
            models[name] = artifacts.load_model(version_dir, entry)
            if "table" in entry:
                prediction_tables[name] = artifacts.load_table(version_dir, entry["table"]).reshape(-1)
            else:  # artifacts written before tables existed: compute it now (seconds, once per process)
                prediction_tables[name] = tables.prediction_table(models[name]).reshape(-1)
            _check_table(name, models[name], prediction_tables[name], sample, version_dir)
        if manifest.get("default_model") not in models:
            raise artifacts.ArtifactError(f"{version_dir / artifacts.MANIFEST_NAME} names no valid default model.")
        return cls(version_dir=version_dir, manifest=manifest, models=models, tables=prediction_tables)

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def default_model(self) -> str:
        return str(self.manifest["default_model"])

    @property
    def default_year(self) -> int:
        return int(self.manifest["feature_defaults"]["year"])

    @property
    def model_names(self) -> list[str]:
        return list(self.models)

    @cached_property
    def _names_by_casefold(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.models}

    def resolve_name(self, name: str | None) -> str:
        """The catalogue spelling of ``name`` (case-insensitive); the default model for None."""
        if name is None or name == "":
            return self.default_model
        known = self._names_by_casefold.get(name.casefold())
        if known is None:
            raise UnknownModelError(name, self.model_names)
        return known

    def metrics(self, name: str) -> dict[str, dict[str, float]]:
        metrics: dict[str, dict[str, float]] = self.manifest["models"][self.resolve_name(name)]["metrics"]
        return metrics

    def predict(self, rows: Sequence[Sequence[int]], model: str | None = None) -> list[int]:
        """Rows of integer features (``dataset.FEATURES`` order) -> non-negative whole rentals.

        Answered from the model's prediction table: the same numbers its pipeline gives, without
        running it (see ``tables``).
        """
        table = self.tables[self.resolve_name(model)]
        if len(rows) == 1:
            return [int(table[tables.flat_index(rows[0])])]
        rentals: list[int] = table[tables.flat_indices(np.asarray(rows, dtype=np.int64))].tolist()
        return rentals

    def predict_with_pipeline(self, rows: Sequence[Sequence[int]], model: str | None = None) -> list[int]:
        """The same answer computed by running the fitted pipeline (for checks and comparisons)."""
        pipeline = self.models[self.resolve_name(model)]
        rentals: list[int] = tables.as_rentals(pipeline.predict(np.asarray(rows, dtype=np.int64))).tolist()
        return rentals


def _check_table(
    name: str, pipeline: Pipeline, table: NDArray[np.int32], sample: NDArray[np.int64], version_dir: Path
) -> None:
    expected = tables.as_rentals(pipeline.predict(sample))
    if not np.array_equal(table[tables.flat_indices(sample)], expected):
        raise artifacts.ArtifactError(
            f"{version_dir / (name + '.table.npy')} disagrees with {name}.joblib; retrain: python manage.py train"
        )


class RegistryHolder:
    """One registry per process, loaded on first need; thread-safe; failures retried after a pause."""

    def __init__(self, root: Path, version: str | None = None, threads: int = 1) -> None:
        self.root = root
        self.version = version
        self.threads = threads
        self._lock = threading.Lock()
        self._registry: ModelRegistry | None = None
        self._error: artifacts.ArtifactError | None = None
        self._failed_at = 0.0

    def get(self) -> ModelRegistry:
        registry = self._registry
        if registry is not None:
            return registry
        with self._lock:
            if self._registry is None:
                self._load_locked()
            if self._registry is None:
                raise self._error or artifacts.ArtifactError(f"No models loaded from {self.root}.")
            return self._registry

    def _load_locked(self) -> None:
        if self._error is not None and time.monotonic() - self._failed_at < RETRY_FAILED_LOAD_AFTER_SECONDS:
            return
        try:
            self._registry = ModelRegistry.load(self.root, self.version)
            self._error = None
        except artifacts.ArtifactError as exc:
            self._error, self._failed_at = exc, time.monotonic()
            return
        # One request predicts a few rows: thread pools per worker only fight each other.
        threadpool_limits(limits=self.threads)
