"""Names people use -> the UCI codes the models were trained on.

One table per field. Lookups are case-insensitive and accent-insensitive, so
"Vendredi", "vendredi" and "VENDREDI" are the same word, and so are "août" and "aout".
Integer UCI codes are accepted too (as numbers or digit strings).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache, wraps

# UCI coding: weekday 0 = Sunday ... 6 = Saturday.
WEEKDAY_NAMES: tuple[str, ...] = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
_WEEKDAY_FRENCH = ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")

# UCI coding: month 1 = January ... 12 = December.
MONTH_NAMES: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_FRENCH = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# UCI weathersit: 1 clear/few clouds, 2 mist + cloudy, 3 light snow/light rain,
# 4 heavy rain/thunderstorm/snow + fog. The canonical name is the first word of each row.
WEATHER_WORDS: Mapping[int, tuple[str, ...]] = {
    1: ("Clear", "sunny", "few clouds", "partly cloudy", "clair", "dégagé", "ensoleillé"),
    2: ("Cloudy", "mist", "misty", "fog", "foggy", "nuageux", "couvert", "brume", "brumeux"),
    3: ("Rainy", "rain", "light rain", "snowy", "snow", "light snow", "pluvieux", "pluie", "neigeux", "neige"),
    4: ("Storm", "stormy", "thunderstorm", "heavy rain", "orage", "orageux", "tempête"),
}
WEATHER_NAMES: Mapping[int, str] = {code: words[0] for code, words in WEATHER_WORDS.items()}

HOURS = range(24)
# The data covers 2011 and 2012; the UCI `yr` feature is year - FIRST_YEAR.
FIRST_YEAR = 2011
YEARS: tuple[int, ...] = (2011, 2012)
WORKING_WEEKDAYS = frozenset({1, 2, 3, 4, 5})

_HOUR_12H = re.compile(r"^(\d{1,2})\s*(am|pm)$")
_HOUR_24H = re.compile(r"^(\d{1,2})\s*h?$")


class VocabularyError(ValueError):
    """A value that is not in a field's vocabulary; the message lists what is accepted."""

    def __init__(self, field: str, value: object, accepted: str) -> None:
        self.field = field
        self.value = value
        self.accepted = accepted
        super().__init__(f"{value!r} is not a valid {field}. Accepted: {accepted}.")


@lru_cache(maxsize=4096)  # clients repeat the same few words; a batch of 1,000 items pays this 4,000 times
def normalise_word(value: str) -> str:
    """Casefold, drop accents and squeeze spaces: 'Août ' -> 'aout'."""
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_accents.casefold().replace(".", " ").split())


def _build_lookup(rows: Mapping[int, tuple[str, ...]]) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for code, words in rows.items():
        for word in words:
            lookup[normalise_word(word)] = code
        lookup[str(code)] = code
    return lookup


def _name_rows(english: tuple[str, ...], french: tuple[str, ...], first_code: int) -> dict[int, tuple[str, ...]]:
    rows: dict[int, tuple[str, ...]] = {}
    for offset, (name, french_name) in enumerate(zip(english, french, strict=True)):
        rows[first_code + offset] = (name, name[:3], french_name)
    return rows


_WEEKDAY_ROWS = _name_rows(WEEKDAY_NAMES, _WEEKDAY_FRENCH, first_code=0)
_MONTH_ROWS = _name_rows(MONTH_NAMES, _MONTH_FRENCH, first_code=1)
_MONTH_ROWS[9] = (*_MONTH_ROWS[9], "Sept")

_WEEKDAY_LOOKUP = _build_lookup(_WEEKDAY_ROWS)
_MONTH_LOOKUP = _build_lookup(_MONTH_ROWS)
_WEATHER_LOOKUP = _build_lookup(WEATHER_WORDS)

WEEKDAY_ACCEPTED = (
    "English or French day names or 3-letter abbreviations (Friday, Fri, vendredi), or UCI codes 0-6 (0 = Sunday)"
)
MONTH_ACCEPTED = "English or French month names or 3-letter abbreviations (June, Jun, juin), or month numbers 1-12"
WEATHER_ACCEPTED = (
    ", ".join(f"{code} = {' / '.join(words)}" for code, words in WEATHER_WORDS.items())
    + " (case-insensitive; the numbers are the UCI weathersit codes)"
)
HOUR_ACCEPTED = "an hour 0-23 (15, '15', '15h') or a 12-hour clock time ('3pm', '12am')"
YEAR_ACCEPTED = ", ".join(str(year) for year in YEARS)


def _lookup(field: str, value: object, table: Mapping[str, int], accepted: str) -> int:
    if isinstance(value, bool):
        raise VocabularyError(field, value, accepted)
    key = str(value) if isinstance(value, int) else normalise_word(value) if isinstance(value, str) else None
    if key is None or key not in table:
        raise VocabularyError(field, value, accepted)
    return table[key]


def _remembering(to_code: Callable[[object], int]) -> Callable[[object], int]:
    """``to_code`` that remembers its answer for each str or int it saw (bounded).

    Clients and the data sets repeat the same few spellings: a batch of 1,000 items asks four
    fields each. Only exact str and int are remembered (typed, so 1 and "1" stay apart; never a
    bool, which equals 1); anything else is computed each time, and errors are never remembered.
    """
    remembered = lru_cache(maxsize=1024, typed=True)(to_code)

    @wraps(to_code)
    def code(value: object) -> int:
        if type(value) is str or type(value) is int:
            return remembered(value)
        return to_code(value)

    return code


@_remembering
def weekday_code(value: object) -> int:
    return _lookup("weekday", value, _WEEKDAY_LOOKUP, WEEKDAY_ACCEPTED)


@_remembering
def month_code(value: object) -> int:
    return _lookup("month", value, _MONTH_LOOKUP, MONTH_ACCEPTED)


@_remembering
def weather_code(value: object) -> int:
    return _lookup("weather", value, _WEATHER_LOOKUP, WEATHER_ACCEPTED)


@_remembering
def hour_code(value: object) -> int:
    """0-23 from an int, '15', '15h', or a 12-hour time such as '3pm' (the labelled data's form)."""
    if isinstance(value, int) and not isinstance(value, bool):
        hour = value
    elif isinstance(value, str) and (match := _HOUR_24H.match(normalise_word(value))):
        hour = int(match.group(1))
    elif isinstance(value, str) and (match := _HOUR_12H.match(normalise_word(value))):
        clock = int(match.group(1))
        if not 1 <= clock <= 12:
            raise VocabularyError("hour", value, HOUR_ACCEPTED)
        hour = clock % 12 + (12 if match.group(2) == "pm" else 0)
    else:
        raise VocabularyError("hour", value, HOUR_ACCEPTED)
    if hour not in HOURS:
        raise VocabularyError("hour", value, HOUR_ACCEPTED)
    return hour


def is_working_day(weekday: int, holiday: bool) -> bool:
    """The UCI rule: Monday to Friday and not a holiday."""
    return weekday in WORKING_WEEKDAYS and not holiday


def _accepted(to_code: Callable[[object], int], candidates: Iterable[str]) -> list[str]:
    accepted = []
    for candidate in candidates:
        try:
            to_code(candidate)
        except VocabularyError:
            continue
        accepted.append(candidate)
    return sorted(set(accepted), key=lambda word: (len(word), word))


def _with_display_names(lookup: Mapping[str, int], rows: Mapping[int, tuple[str, ...]]) -> list[str]:
    return [*lookup, *(word for words in rows.values() for word in words)]


@cache
def accepted_strings() -> dict[str, list[str]]:
    """Every string spelling each field accepts (besides its integer codes), for the API schema.

    Matching is case- and accent-insensitive, so these are the canonical spellings, not all of them.
    """
    clock = [f"{h}{sep}{half}" for h in range(1, 13) for sep in ("", " ") for half in ("am", "pm")]
    hours = [form for h in HOURS for form in (str(h), f"{h:02d}", f"{h}h", f"{h:02d}h")] + clock
    return {
        "hour": _accepted(hour_code, hours),
        "weekday": _accepted(weekday_code, _with_display_names(_WEEKDAY_LOOKUP, _WEEKDAY_ROWS)),
        "month": _accepted(month_code, _with_display_names(_MONTH_LOOKUP, _MONTH_ROWS)),
        "weather": _accepted(weather_code, _with_display_names(_WEATHER_LOOKUP, WEATHER_WORDS)),
    }


CODE_RANGES: Mapping[str, range] = {
    "hour": HOURS,
    "weekday": range(7),
    "month": range(1, 13),
    "weather": range(1, 5),
}
