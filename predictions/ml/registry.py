"""The artifact version a process serves: verified once, held in memory, asked for predictions."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import artifacts

# A failed load is not retried on every request (reading and hashing every model is costly);
# a fixed pause lets a server pick up freshly trained models without a restart.
RETRY_FAILED_LOAD_AFTER_SECONDS = 15.0


class UnknownModelError(LookupError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"Unknown model {name!r}. Known models: {', '.join(self.known)}.")


@dataclass(frozen=True)
class ModelRegistry:
    version_dir: Path
    manifest: dict[str, Any]
    models: dict[str, Pipeline]

    @classmethod
    def load(cls, root: Path, version: str | None = None) -> ModelRegistry:
        version_dir = artifacts.resolve_version_dir(root, version)
        manifest = artifacts.read_manifest(version_dir)
        artifacts.check_runtime(manifest, version_dir)
        models = {name: artifacts.load_model(version_dir, entry) for name, entry in manifest["models"].items()}
        if manifest.get("default_model") not in models:
            raise artifacts.ArtifactError(f"{version_dir / artifacts.MANIFEST_NAME} names no valid default model.")
        return cls(version_dir=version_dir, manifest=manifest, models=models)

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

    def resolve_name(self, name: str | None) -> str:
        """The catalogue spelling of ``name`` (case-insensitive); the default model for None."""
        if name is None or name == "":
            return self.default_model
        for known in self.models:
            if known.casefold() == name.casefold():
                return known
        raise UnknownModelError(name, self.model_names)

    def metrics(self, name: str) -> dict[str, dict[str, float]]:
        metrics: dict[str, dict[str, float]] = self.manifest["models"][self.resolve_name(name)]["metrics"]
        return metrics

    def predict(self, rows: Sequence[Sequence[int]], model: str | None = None) -> list[int]:
        """Rows of integer features (``dataset.FEATURES`` order) -> non-negative whole rentals."""
        pipeline = self.models[self.resolve_name(model)]
        predicted = pipeline.predict(np.asarray(rows, dtype=np.int64))
        rentals: list[int] = np.clip(np.rint(predicted), 0, None).astype(np.int64).tolist()
        return rentals


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
