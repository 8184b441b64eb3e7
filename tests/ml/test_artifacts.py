import io
import json
import shutil
from pathlib import Path

import pytest

from predictions.ml import artifacts, dataset
from predictions.ml.checksums import sha256_bytes
from predictions.ml.registry import ModelRegistry


@pytest.fixture
def artifacts_copy(artifacts_root: Path, tmp_path: Path) -> Path:
    """A private copy that a test may damage."""
    copy = tmp_path / "ml_artifacts"
    shutil.copytree(artifacts_root, copy)
    return copy


def test_manifest_records_data_cleaning_metrics_versions_and_checksums(artifacts_root: Path) -> None:
    version_dir = artifacts.resolve_version_dir(artifacts_root)
    manifest = artifacts.read_manifest(version_dir)
    assert manifest["version"] == version_dir.name == "test-version"
    assert manifest["data"]["source_sha256"]
    assert manifest["data"]["filled"]["weathersit"]["missing_filled"] == 1258
    assert manifest["features"] == list(dataset.FEATURES)
    assert manifest["feature_defaults"] == {"year": 2012}
    assert set(manifest["versions"]) >= {"python", "scikit-learn", "pandas", "numpy"}
    assert manifest["default_model"] in manifest["models"]
    for name, entry in manifest["models"].items():
        payload = (version_dir / entry["file"]).read_bytes()
        assert sha256_bytes(payload) == entry["sha256"], name
        assert set(entry["metrics"]) == {"shuffled", "chronological"}


def test_a_changed_byte_is_refused_naming_the_file(artifacts_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = artifacts_copy / "test-version" / "Lasso.joblib"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    unpickled: list[bytes] = []
    real_load = artifacts.joblib.load

    def spy_load(buffer: io.BytesIO) -> object:
        unpickled.append(buffer.getvalue())
        return real_load(buffer)

    monkeypatch.setattr(artifacts.joblib, "load", spy_load)
    with pytest.raises(artifacts.ArtifactError, match=r"Lasso\.joblib does not match its SHA-256"):
        ModelRegistry.load(artifacts_copy)
    assert bytes(data) not in unpickled, "the altered file must never reach the unpickler"


def test_a_missing_model_file_is_named(artifacts_copy: Path) -> None:
    (artifacts_copy / "test-version" / "Ridge.joblib").unlink()
    with pytest.raises(artifacts.ArtifactError, match=r"Ridge\.joblib cannot be read"):
        ModelRegistry.load(artifacts_copy)


def test_a_truncated_model_file_is_refused(artifacts_copy: Path) -> None:
    target = artifacts_copy / "test-version" / "KNeighborsRegressor.joblib"
    target.write_bytes(target.read_bytes()[:100])
    with pytest.raises(artifacts.ArtifactError, match=r"KNeighborsRegressor\.joblib does not match"):
        ModelRegistry.load(artifacts_copy)


def test_another_scikit_learn_version_is_refused(artifacts_copy: Path) -> None:
    manifest_path = artifacts_copy / "test-version" / artifacts.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["versions"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(
        artifacts.ArtifactError, match=r"manifest\.json: models were trained with scikit-learn 0\.24\.2"
    ):
        ModelRegistry.load(artifacts_copy)


def test_a_corrupt_manifest_is_named(artifacts_copy: Path) -> None:
    (artifacts_copy / "test-version" / artifacts.MANIFEST_NAME).write_text("{not json")
    with pytest.raises(artifacts.ArtifactError, match=r"manifest\.json cannot be read"):
        ModelRegistry.load(artifacts_copy)


def test_no_artifacts_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(artifacts.ArtifactError, match=r"python manage\.py train"):
        ModelRegistry.load(tmp_path)


def test_latest_points_at_the_newest_write_and_versions_stay_loadable(
    artifacts_copy: Path, training_result, clean_frame
) -> None:  # type: ignore[no-untyped-def]
    artifacts.write(artifacts_copy, training_result, clean_frame[1], version="second")
    assert (artifacts_copy / artifacts.LATEST_POINTER).read_text().strip() == "second"
    assert ModelRegistry.load(artifacts_copy).version == "second"
    assert ModelRegistry.load(artifacts_copy, "test-version").version == "test-version"
    assert not list(artifacts_copy.glob(".*partial"))
