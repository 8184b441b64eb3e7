from pathlib import Path

import pytest

from predictions.ml import artifacts, registry
from predictions.ml.features import DemandQuery
from tests.conftest import FRIDAY_JUNE_15H_CLOUDY_NORMALISED

FRIDAY_JUNE_15H_CLOUDY = DemandQuery(hour=15, weekday=5, month=6, weather=2, year=2012)


@pytest.fixture(scope="module")
def loaded(artifacts_root: Path) -> registry.ModelRegistry:
    return registry.ModelRegistry.load(artifacts_root)


def test_every_model_predicts_non_negative_integers(loaded: registry.ModelRegistry) -> None:
    rows = [FRIDAY_JUNE_15H_CLOUDY.as_row(), DemandQuery(3, 0, 1, 4, 2011).as_row()]
    for name in loaded.model_names:
        predictions = loaded.predict(rows, name)
        assert len(predictions) == 2
        assert all(isinstance(value, int) and value >= 0 for value in predictions), name


def test_default_model_predicts_more_at_rush_hour_than_at_night(loaded: registry.ModelRegistry) -> None:
    rush, night = loaded.predict([DemandQuery(17, 3, 6, 1, 2012).as_row(), DemandQuery(3, 3, 6, 1, 2012).as_row()])
    assert rush > 5 * night


def test_model_names_are_case_insensitive_and_none_means_default(loaded: registry.ModelRegistry) -> None:
    assert loaded.resolve_name("lasso") == "Lasso"
    assert loaded.resolve_name(None) == loaded.default_model
    assert loaded.metrics("LASSO") == loaded.manifest["models"]["Lasso"]["metrics"]


def test_unknown_model_lists_the_known_names(loaded: registry.ModelRegistry) -> None:
    with pytest.raises(registry.UnknownModelError) as caught:
        loaded.resolve_name("XGBoost")
    assert caught.value.known == loaded.model_names
    assert "Lasso" in str(caught.value)


def test_features_follow_the_training_column_order() -> None:
    assert FRIDAY_JUNE_15H_CLOUDY.as_row() == (15, 5, 6, 2, 1, 0, 1)
    assert DemandQuery(15, 5, 6, 2, 2012, holiday=True).as_row()[-2:] == (1, 0)
    assert DemandQuery(15, 6, 6, 2, 2011, workingday=True).as_row()[-3:] == (0, 0, 1)
    assert FRIDAY_JUNE_15H_CLOUDY.describe() == FRIDAY_JUNE_15H_CLOUDY_NORMALISED


def test_holder_loads_once_and_shares_the_registry(artifacts_root: Path) -> None:
    holder = registry.RegistryHolder(artifacts_root)
    assert holder.get() is holder.get()


def test_holder_retries_a_failed_load_after_the_pause(
    artifacts_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = registry.RegistryHolder(tmp_path)
    with pytest.raises(artifacts.ArtifactError, match=r"python manage\.py train"):
        holder.get()
    holder.root = artifacts_root  # the models appear, as after `manage.py train`
    with pytest.raises(artifacts.ArtifactError):
        holder.get()  # within the pause: the cached failure, no new disk work
    monkeypatch.setattr(registry, "RETRY_FAILED_LOAD_AFTER_SECONDS", 0.0)
    assert holder.get().version == "test-version"
