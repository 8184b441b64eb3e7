"""Prediction tables: the same answers as the pipelines, for every possible input, and checked at load."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from predictions.ml import artifacts, tables
from predictions.ml.checksums import sha256_bytes
from predictions.ml.registry import ModelRegistry


@pytest.fixture(scope="module")
def loaded(artifacts_root: Path) -> ModelRegistry:
    return ModelRegistry.load(artifacts_root)


@pytest.fixture
def artifacts_copy(artifacts_root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ml_artifacts"
    shutil.copytree(artifacts_root, copy)
    return copy


def test_the_grid_is_every_input_once_in_table_order() -> None:
    grid = tables.feature_grid()
    assert grid.shape == (24 * 7 * 12 * 4 * 2 * 2 * 2, 7)
    assert len({tuple(row) for row in grid}) == len(grid)
    assert (tables.flat_indices(grid) == np.arange(len(grid))).all()
    assert [tables.flat_index(grid[i].tolist()) for i in (0, 1, 4242, len(grid) - 1)] == [0, 1, 4242, len(grid) - 1]


def test_every_table_equals_its_pipeline_on_every_input(loaded: ModelRegistry) -> None:
    grid = tables.feature_grid()
    for name in loaded.model_names:
        expected = loaded.predict_with_pipeline(grid.tolist(), name)
        assert loaded.predict(grid.tolist(), name) == expected, name


def test_one_row_and_many_rows_give_the_same_answer(loaded: ModelRegistry) -> None:
    rows = [[15, 5, 6, 2, 1, 0, 1], [8, 1, 10, 3, 1, 0, 1], [3, 0, 1, 4, 0, 1, 0]]
    for name in loaded.model_names:
        assert [loaded.predict([row], name)[0] for row in rows] == loaded.predict(rows, name)


@pytest.mark.parametrize("row", [[24, 5, 6, 2, 1, 0, 1], [15, 5, 0, 2, 1, 0, 1], [15, 5, 6, 5, 1, 0, 1], [1, 2]])
def test_inputs_outside_the_domain_are_refused(loaded: ModelRegistry, row: list[int]) -> None:
    with pytest.raises(tables.OutOfDomainError):
        loaded.predict([row])
    with pytest.raises(tables.OutOfDomainError):
        loaded.predict([row, row])


def test_a_changed_table_byte_is_refused_naming_the_file(artifacts_copy: Path) -> None:
    path = artifacts_copy / "test-version" / "Lasso.table.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(artifacts.ArtifactError, match=r"Lasso\.table\.npy does not match its SHA-256"):
        ModelRegistry.load(artifacts_copy)


def test_a_table_that_disagrees_with_its_model_is_refused(artifacts_copy: Path) -> None:
    version_dir = artifacts_copy / "test-version"
    wrong = io.BytesIO()
    np.save(wrong, np.zeros(tables.SHAPE, dtype=tables.TABLE_DTYPE), allow_pickle=False)
    (version_dir / "Lasso.table.npy").write_bytes(wrong.getvalue())
    manifest = json.loads((version_dir / "manifest.json").read_text())
    manifest["models"]["Lasso"]["table"]["sha256"] = sha256_bytes(wrong.getvalue())  # a consistent forgery
    (version_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(artifacts.ArtifactError, match=r"Lasso\.table\.npy disagrees with Lasso\.joblib"):
        ModelRegistry.load(artifacts_copy)


def test_artifacts_without_tables_still_load_and_compute_them(artifacts_copy: Path, loaded: ModelRegistry) -> None:
    version_dir = artifacts_copy / "test-version"
    manifest = json.loads((version_dir / "manifest.json").read_text())
    for entry in manifest["models"].values():
        (version_dir / entry.pop("table")["file"]).unlink()
    (version_dir / "manifest.json").write_text(json.dumps(manifest))
    older = ModelRegistry.load(artifacts_copy)
    assert older.predict([[15, 5, 6, 2, 1, 0, 1]]) == loaded.predict([[15, 5, 6, 2, 1, 0, 1]])
