"""Prediction tables: every model's answer for every possible input, computed once.

The inputs a client can give form a small closed domain: 24 hours x 7 weekdays x 12 months x
4 weathers x 2 years x holiday x workingday = 64,512 rows. Predicting all of them takes a few
seconds at training time; afterwards a prediction is an array lookup, the same for every model:
about a microsecond for one row (a forest or a boosted model needs milliseconds, and a thread pool
if allowed one), and a vectorised take for a batch. The fitted pipelines stay in the artifacts and
are loaded too: the registry checks a sample of table entries against them at load.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from . import vocabulary


def _span(field: str) -> tuple[int, int]:
    codes = vocabulary.CODE_RANGES[field]
    return codes.start, len(codes)


# (first code, number of codes) for each feature, in dataset.FEATURES order:
# hr, weekday, mnth, weathersit, yr, holiday, workingday.
DOMAIN: tuple[tuple[int, int], ...] = (
    _span("hour"),
    _span("weekday"),
    _span("month"),
    _span("weather"),
    (0, len(vocabulary.YEARS)),  # yr: 0 = 2011, 1 = 2012
    (0, 2),
    (0, 2),
)
SHAPE: tuple[int, ...] = tuple(size for _, size in DOMAIN)
GRID_SIZE = int(np.prod(SHAPE))
OFFSETS = np.array([first for first, _ in DOMAIN], dtype=np.int64)
SIZES = np.array(SHAPE, dtype=np.int64)
# Row-major strides, so that flat index = sum((code - first) * stride).
STRIDES: tuple[int, ...] = tuple(int(np.prod(SHAPE[position + 1 :])) for position in range(len(SHAPE)))
TABLE_DTYPE = np.int32


class OutOfDomainError(ValueError):
    pass


def feature_grid() -> NDArray[np.int64]:
    """Every possible input row, in table order (row-major over DOMAIN)."""
    axes = [np.arange(first, first + size, dtype=np.int64) for first, size in DOMAIN]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([axis.ravel() for axis in mesh], axis=1)


def as_rentals(predicted: NDArray[np.float64]) -> NDArray[np.int32]:
    """Raw regressor output -> whole, non-negative rentals (what the API answers)."""
    return np.clip(np.rint(predicted), 0, None).astype(TABLE_DTYPE)


def prediction_table(pipeline: Pipeline) -> NDArray[np.int32]:
    """The pipeline's answer for every row of ``feature_grid()``, shaped ``SHAPE``."""
    return as_rentals(pipeline.predict(feature_grid())).reshape(SHAPE)


def flat_index(row: Sequence[int]) -> int:
    """Position of one row in the flattened table (pure Python: one row needs no numpy call)."""
    if len(row) != len(DOMAIN):
        raise OutOfDomainError(f"a row has {len(DOMAIN)} features, not {len(row)}")
    index = 0
    for code, (first, size), stride in zip(row, DOMAIN, STRIDES, strict=True):
        position = code - first
        if not 0 <= position < size:
            raise OutOfDomainError(f"feature value {code} is outside {first}..{first + size - 1}")
        index += position * stride
    return index


def flat_indices(rows: NDArray[np.int64]) -> NDArray[np.int64]:
    if rows.ndim != 2 or rows.shape[1] != len(SHAPE):
        raise OutOfDomainError(f"rows must be n x {len(SHAPE)} codes, not {rows.shape}")
    positions = rows - OFFSETS
    if (positions < 0).any() or (positions >= SIZES).any():
        raise OutOfDomainError(f"a feature value is outside the domain {DOMAIN} (first code, count)")
    indices: NDArray[np.int64] = positions @ np.array(STRIDES, dtype=np.int64)
    return indices
