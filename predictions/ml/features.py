"""One question to the models ("a Friday in June at 15h, cloudy") as codes, and back as names."""

from __future__ import annotations

from typing import Any, NamedTuple

from . import vocabulary


class DemandQuery(NamedTuple):
    """Immutable; a named tuple rather than a frozen dataclass because a batch builds a thousand of them."""

    hour: int
    weekday: int  # UCI: 0 = Sunday
    month: int  # 1-12
    weather: int  # UCI weathersit 1-4
    year: int
    holiday: bool = False
    workingday: bool | None = None  # None: derived from weekday and holiday

    def as_row(self) -> tuple[int, ...]:
        """The model input, in ``dataset.FEATURES`` order: hr, weekday, mnth, weathersit, yr, holiday, workingday."""
        return (
            self.hour,
            self.weekday,
            self.month,
            self.weather,
            self.year - vocabulary.FIRST_YEAR,
            int(self.holiday),
            int(self.is_working_day),
        )

    @property
    def is_working_day(self) -> bool:
        if self.workingday is not None:
            return self.workingday
        return vocabulary.is_working_day(self.weekday, self.holiday)

    def describe(self) -> dict[str, Any]:
        """The normalised inputs, with names a person reads."""
        return {
            "hour": self.hour,
            "weekday": vocabulary.WEEKDAY_NAMES[self.weekday],
            "month": vocabulary.MONTH_NAMES[self.month - 1],
            "weather": vocabulary.WEATHER_NAMES[self.weather],
            "year": self.year,
            "holiday": self.holiday,
            "workingday": self.is_working_day,
        }
