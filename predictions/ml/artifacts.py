"""Write and read an artifact version: ``<root>/<version>/{manifest.json, <Model>.joblib}``.

Nothing is unpickled before its SHA-256 matches the manifest, and the bytes that were
checked are the bytes that are unpickled (no second read of the file).
"""

from __future__ import annotations

import io
import json
import platform
import shutil
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from . import tables, vocabulary
from .checksums import sha256_bytes
from .dataset import FEATURES, CleaningReport
from .training import (
    CHRONOLOGICAL_CUTOFF,
    DEFAULT_MODEL_RULE,
    SHUFFLED_RANDOM_STATE,
    SHUFFLED_TEST_SIZE,
    TrainingResult,
)

MANIFEST_NAME = "manifest.json"
LATEST_POINTER = "LATEST"
MANIFEST_SCHEMA = 1
JOBLIB_COMPRESSION = 3  # zlib level 3: the forest shrinks from 32 MB to 8 MB; loading stays under 0.1 s


class ArtifactError(RuntimeError):
    """Artifacts are missing, altered or incompatible; the message names the file and what to run."""


def runtime_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
    }


def new_version_name(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


def build_manifest(
    version: str,
    result: TrainingResult,
    report: CleaningReport,
    checksums: dict[str, str],
    table_checksums: dict[str, str],
) -> dict[str, Any]:
    return {
        "schema": MANIFEST_SCHEMA,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": report.as_dict(),
        "features": list(FEATURES),
        "encodings": {
            "hr": "hour 0-23",
            "weekday": dict(enumerate(vocabulary.WEEKDAY_NAMES)),
            "mnth": dict(enumerate(vocabulary.MONTH_NAMES, start=1)),
            "weathersit": dict(vocabulary.WEATHER_NAMES),
            "yr": {year - vocabulary.FIRST_YEAR: year for year in vocabulary.YEARS},
            "holiday": {0: "no", 1: "yes"},
            "workingday": {0: "no", 1: "yes"},
        },
        "feature_defaults": {"year": report.latest_year},
        "evaluation": {
            "shuffled": {"test_size": SHUFFLED_TEST_SIZE, "random_state": SHUFFLED_RANDOM_STATE},
            "chronological": {"test_from": CHRONOLOGICAL_CUTOFF.date().isoformat()},
            "splits": result.split_sizes,
        },
        "default_model": result.default_model,
        "default_model_rule": DEFAULT_MODEL_RULE,
        "models": {
            name: {
                "file": f"{name}.joblib",
                "sha256": checksums[name],
                "table": {"file": f"{name}.table.npy", "sha256": table_checksums[name]},
                "metrics": {"shuffled": asdict(model.shuffled), "chronological": asdict(model.chronological)},
                "fit_seconds": model.fit_seconds,
            }
            for name, model in result.models.items()
        },
        "versions": runtime_versions(),
    }


def write(root: Path, result: TrainingResult, report: CleaningReport, version: str | None = None) -> Path:
    """Write every model and the manifest into a new version directory, then point LATEST at it."""
    version = version or new_version_name()
    final_dir = root / version
    staging = root / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    checksums: dict[str, str] = {}
    table_checksums: dict[str, str] = {}
    for name, model in result.models.items():
        buffer = io.BytesIO()
        joblib.dump(model.pipeline, buffer, compress=JOBLIB_COMPRESSION)
        payload = buffer.getvalue()
        (staging / f"{name}.joblib").write_bytes(payload)
        checksums[name] = sha256_bytes(payload)
        table = io.BytesIO()
        np.save(table, tables.prediction_table(model.pipeline), allow_pickle=False)
        (staging / f"{name}.table.npy").write_bytes(table.getvalue())
        table_checksums[name] = sha256_bytes(table.getvalue())
    manifest = build_manifest(version, result, report, checksums, table_checksums)
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if final_dir.exists():
        shutil.rmtree(final_dir)
    staging.rename(final_dir)
    pointer = root / f".{LATEST_POINTER}.partial"
    pointer.write_text(version + "\n")
    pointer.replace(root / LATEST_POINTER)
    return final_dir


def resolve_version_dir(root: Path, version: str | None = None) -> Path:
    """The directory of ``version``, or of the one LATEST points at."""
    if version is None:
        pointer = root / LATEST_POINTER
        if not pointer.is_file():
            raise ArtifactError(f"No trained models in {root} (no {LATEST_POINTER} file). Run: python manage.py train")
        version = pointer.read_text().strip()
    version_dir = root / version
    if not (version_dir / MANIFEST_NAME).is_file():
        raise ArtifactError(f"{version_dir / MANIFEST_NAME} is missing. Run: python manage.py train")
    return version_dir


def read_manifest(version_dir: Path) -> dict[str, Any]:
    path = version_dir / MANIFEST_NAME
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path} cannot be read ({exc}). Run: python manage.py train") from exc
    if manifest.get("schema") != MANIFEST_SCHEMA or not isinstance(manifest.get("models"), dict):
        raise ArtifactError(f"{path} is not a manifest this version understands. Run: python manage.py train")
    return manifest


def check_runtime(manifest: dict[str, Any], version_dir: Path) -> None:
    trained_with = manifest.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ArtifactError(
            f"{version_dir / MANIFEST_NAME}: models were trained with scikit-learn {trained_with}, "
            f"this process runs {sklearn.__version__}. Retrain: python manage.py train"
        )


def read_verified(version_dir: Path, entry: dict[str, Any]) -> tuple[Path, bytes]:
    """A file's bytes, once they match the manifest's SHA-256 (those bytes, not a second read, get used)."""
    path = version_dir / str(entry["file"])
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{path} cannot be read ({exc.strerror}). Run: python manage.py train") from exc
    if sha256_bytes(payload) != entry["sha256"]:
        raise ArtifactError(f"{path} does not match its SHA-256 in the manifest; refusing to load it.")
    return path, payload


def load_model(version_dir: Path, entry: dict[str, Any]) -> Pipeline:
    path, payload = read_verified(version_dir, entry)
    model = joblib.load(io.BytesIO(payload))
    if not isinstance(model, Pipeline):
        raise ArtifactError(f"{path} does not hold a scikit-learn Pipeline.")
    return model


def load_table(version_dir: Path, entry: dict[str, Any]) -> NDArray[np.int32]:
    """A model's prediction table, checksum-verified; .npy without pickles, so nothing executes."""
    path, payload = read_verified(version_dir, entry)
    try:
        table = np.load(io.BytesIO(payload), allow_pickle=False)
    except ValueError as exc:
        raise ArtifactError(f"{path} is not a prediction table ({exc}).") from exc
    if table.shape != tables.SHAPE or table.dtype != tables.TABLE_DTYPE:
        raise ArtifactError(f"{path} holds a {table.shape} {table.dtype} table, not {tables.SHAPE} int32.")
    table.setflags(write=False)
    return table  # type: ignore[no-any-return]
