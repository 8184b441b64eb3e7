import numpy as np
import pandas as pd
import pytest

from predictions.ml import dataset, training


def test_catalogue_has_the_required_models() -> None:
    required = {
        "Lasso",
        "LinearRegression",
        "Ridge",
        "DecisionTreeRegressor",
        "RandomForestRegressor",
        "HistGradientBoostingRegressor",
        "KNeighborsRegressor",
    }
    assert required <= set(training.MODEL_CATALOGUE)


def test_preprocessing_lives_inside_each_pipeline(training_result: training.TrainingResult) -> None:
    for result in training_result.models.values():
        assert list(result.pipeline.named_steps) == ["scale", "model"]


def test_holdouts(clean_frame: tuple[pd.DataFrame, dataset.CleaningReport]) -> None:
    holdouts = training.make_holdouts(clean_frame[0])
    sizes = holdouts.sizes()
    assert sizes["shuffled_test"] == round(17379 * 0.2)
    assert sizes["shuffled_train"] + sizes["shuffled_test"] == 17379
    late = clean_frame[0]["dteday"] >= pd.Timestamp("2012-09-01")
    assert sizes["chronological_test"] == int(late.sum())
    assert sizes["chronological_train"] == int((~late).sum())


def test_the_original_services_acceptance_scores(training_result: training.TrainingResult) -> None:
    assert training_result.models["DecisionTreeRegressor"].shuffled.r2 > 0.79
    assert 0 < training_result.models["Lasso"].shuffled.r2 < 0.3


def test_default_model_rule_and_quality(training_result: training.TrainingResult) -> None:
    models = training_result.models
    best_chrono = max(models.values(), key=lambda model: model.chronological.r2)
    assert training_result.default_model == best_chrono.name
    default = models[training_result.default_model]
    assert default.shuffled.r2 >= 0.90
    assert default.chronological.r2 >= 0.80


def test_metrics_are_consistent(training_result: training.TrainingResult) -> None:
    for result in training_result.models.values():
        for metrics in (result.shuffled, result.chronological):
            assert 0 < metrics.mae <= metrics.rmse


def test_training_twice_gives_identical_metrics(
    clean_frame: tuple[pd.DataFrame, dataset.CleaningReport], training_result: training.TrainingResult
) -> None:
    names = ["RandomForestRegressor", "HistGradientBoostingRegressor", "KNeighborsRegressor"]
    again = training.train_all(clean_frame[0], names=names)
    for name in names:
        assert again.models[name].shuffled == training_result.models[name].shuffled
        assert again.models[name].chronological == training_result.models[name].chronological


def test_served_models_never_start_a_thread_pool(training_result: training.TrainingResult) -> None:
    forest = training_result.models["RandomForestRegressor"].pipeline.named_steps["model"]
    assert forest.n_jobs is None


def test_progress_callback_sees_every_model_in_order(clean_frame: tuple[pd.DataFrame, dataset.CleaningReport]) -> None:
    seen: list[str] = []
    result = training.train_all(clean_frame[0], names=["Lasso", "Ridge"], on_model_done=lambda m: seen.append(m.name))
    assert seen == ["Lasso", "Ridge"]
    assert result.default_model in seen


def test_ties_in_the_default_rule_break_alphabetically() -> None:
    metrics = training.Metrics(r2=0.5, mae=1.0, rmse=1.0)
    results = {
        name: training.ModelResult(name, training.MODEL_CATALOGUE["Lasso"](), metrics, metrics, 0.0)
        for name in ("Ridge", "Lasso")
    }
    assert training.choose_default(results) == "Lasso"


def test_a_frame_without_late_2012_rows_cannot_be_split_chronologically(
    clean_frame: tuple[pd.DataFrame, dataset.CleaningReport],
) -> None:
    early = clean_frame[0][clean_frame[0]["dteday"] < pd.Timestamp("2012-09-01")]
    with pytest.raises(ValueError, match="2012-09-01"):
        training.make_holdouts(early)


def test_metrics_measure() -> None:
    metrics = training.Metrics.measure(np.array([1, 2, 3]), np.array([1.0, 2.0, 5.0]))
    assert metrics.mae == pytest.approx(2 / 3, abs=1e-6)
    assert metrics.rmse == pytest.approx((4 / 3) ** 0.5, abs=1e-6)
