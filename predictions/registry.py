"""The process-wide model registry, configured from settings and loaded on first need."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from .ml.registry import ModelRegistry, RegistryHolder


@cache
def registry_holder() -> RegistryHolder:
    return RegistryHolder(
        root=settings.ML_ARTIFACTS_DIR,
        version=settings.ML_ARTIFACT_VERSION,
        threads=settings.ML_THREADS_PER_WORKER,
    )


def get_registry() -> ModelRegistry:
    """The loaded models; raises ml.artifacts.ArtifactError when they are missing or invalid."""
    return registry_holder().get()
