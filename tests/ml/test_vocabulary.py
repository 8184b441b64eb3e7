import pytest

from predictions.ml import vocabulary


@pytest.mark.parametrize(
    ("value", "code"),
    [("Friday", 5), ("fri", 5), ("FRIDAY", 5), ("vendredi", 5), ("Dimanche", 0), ("sun", 0), (0, 0), ("6", 6)],
)
def test_weekday_names_abbreviations_french_and_codes(value: object, code: int) -> None:
    assert vocabulary.weekday_code(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [("June", 6), ("jun", 6), ("juin", 6), ("Août", 8), ("aout", 8), ("Sept", 9), ("décembre", 12), (1, 1), ("12", 12)],
)
def test_month_names_abbreviations_french_and_numbers(value: object, code: int) -> None:
    assert vocabulary.month_code(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Clear", 1),
        ("sunny", 1),
        ("ensoleillé", 1),
        ("Cloudy", 2),
        ("mist", 2),
        ("nuageux", 2),
        ("Rainy", 3),
        ("snowy", 3),
        ("pluvieux", 3),
        ("Light Rain", 3),
        ("storm", 4),
        ("Heavy Rain", 4),
        ("orage", 4),
        (4, 4),
        ("1", 1),
    ],
)
def test_weather_words_and_uci_codes(value: object, code: int) -> None:
    assert vocabulary.weather_code(value) == code


@pytest.mark.parametrize(
    ("value", "hour"), [(0, 0), (23, 23), ("15", 15), ("15h", 15), ("3pm", 15), ("12am", 0), ("12pm", 12)]
)
def test_hours_in_24h_and_12h_forms(value: object, hour: int) -> None:
    assert vocabulary.hour_code(value) == hour


@pytest.mark.parametrize(
    ("lookup", "value", "field"),
    [
        (vocabulary.weekday_code, "Fryday", "weekday"),
        (vocabulary.weekday_code, 7, "weekday"),
        (vocabulary.weekday_code, True, "weekday"),
        (vocabulary.month_code, 13, "month"),
        (vocabulary.month_code, None, "month"),
        (vocabulary.weather_code, 5, "weather"),
        (vocabulary.weather_code, "hail", "weather"),
        (vocabulary.hour_code, 24, "hour"),
        (vocabulary.hour_code, -1, "hour"),
        (vocabulary.hour_code, "13pm", "hour"),
        (vocabulary.hour_code, 1.5, "hour"),
        (vocabulary.hour_code, False, "hour"),
    ],
)
def test_unknown_values_name_the_field_and_the_accepted_values(lookup, value, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(vocabulary.VocabularyError) as caught:
        lookup(value)
    assert caught.value.field == field
    assert "Accepted:" in str(caught.value)


def test_weather_message_lists_every_code_and_word() -> None:
    for code, words in vocabulary.WEATHER_WORDS.items():
        assert f"{code} = " in vocabulary.WEATHER_ACCEPTED
        assert all(word in vocabulary.WEATHER_ACCEPTED for word in words)


def test_working_day_rule() -> None:
    assert vocabulary.is_working_day(5, holiday=False)
    assert not vocabulary.is_working_day(5, holiday=True)
    assert not vocabulary.is_working_day(0, holiday=False)
    assert not vocabulary.is_working_day(6, holiday=False)


def test_remembered_answers_keep_types_apart_and_errors_are_not_remembered() -> None:
    assert vocabulary.weekday_code(1) == vocabulary.weekday_code("1") == 1
    assert vocabulary.hour_code(15) == 15
    for _ in range(2):  # the second call would come from the cache if anything were remembered
        with pytest.raises(vocabulary.VocabularyError):
            vocabulary.weekday_code(True)  # equal to 1, and hashed alike, but not a weekday
        with pytest.raises(vocabulary.VocabularyError):
            vocabulary.hour_code(15.0)
        with pytest.raises(vocabulary.VocabularyError):
            vocabulary.month_code("Smarch")
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.weather_code(["Cloudy"])  # unhashable: computed, refused
