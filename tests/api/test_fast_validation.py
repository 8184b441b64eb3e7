"""The JSON fast path of DemandQuerySerializer gives exactly DRF's own results and error messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers as drf
from rest_framework.exceptions import ValidationError

from predictions import serializers
from predictions.constants import BATCH_MAX_ITEMS

INTERESTING_STRINGS = [
    "Friday", "fri", "vendredi", "FRIDAY", "June", "juin", "Sept", "Cloudy", "misty", "tempête", "3pm", "12 am",
    "15h", "15", "24", "", " ", "2011", "2012", "true", "yes", "Lasso", "lasso", "Nope", "x\x00", "x" * 70,
]  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2013),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(INTERESTING_STRINGS),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
FIELDS = ["hour", "weekday", "month", "weather", "year", "holiday", "workingday", "model"]


def outcome(call: Any) -> tuple[str, Any]:
    try:
        return "valid", call()
    except ValidationError as exc:
        return "invalid", exc.detail


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), VALUES))
def test_fast_path_equals_drf_for_any_json_object(data: dict[str, Any]) -> None:
    fast = outcome(lambda: serializers.PredictInputSerializer(data=data).to_internal_value(data))
    reference = serializers.PredictInputSerializer(data=data)
    drf_own = outcome(lambda: drf.Serializer.to_internal_value(reference, data))
    assert fast == drf_own


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from([*FIELDS, "wheather"]), VALUES))
def test_validated_equals_is_valid_for_any_json_object(data: dict[str, Any]) -> None:
    def by_is_valid() -> dict[str, Any]:
        serializer = serializers.PredictInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    assert outcome(lambda: serializers.PredictInputSerializer.validated(data)) == outcome(by_is_valid)


ITEMS = st.lists(st.one_of(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5), VALUES), max_size=3)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["items", "model"]), st.one_of(ITEMS, VALUES)))
def test_batch_fast_path_equals_drf_for_any_json_object(data: dict[str, Any]) -> None:
    fast = outcome(lambda: serializers.PredictBatchInputSerializer.validated(data))
    reference = serializers.PredictBatchInputSerializer(data=data)
    assert fast == outcome(lambda: drf.Serializer.to_internal_value(reference, data))


def test_an_oversized_batch_gets_drfs_own_message() -> None:
    data = {"items": [{"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}] * (BATCH_MAX_ITEMS + 1)}
    fast = outcome(lambda: serializers.PredictBatchInputSerializer.validated(data))
    reference = serializers.PredictBatchInputSerializer(data=data)
    assert fast == outcome(lambda: drf.Serializer.to_internal_value(reference, data))
    assert fast[0] == "invalid"


def test_the_fast_path_is_the_one_taken_for_json(monkeypatch: Any) -> None:
    calls: list[dict[str, Any]] = []
    original = serializers.validate_json_object

    def spy(data: Any, declared: Any) -> Any:
        calls.append(data)
        return original(data, declared)

    monkeypatch.setattr(serializers, "validate_json_object", spy)
    item = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
    body = {"items": [item, item]}
    batch = serializers.PredictBatchInputSerializer(data=body)
    assert batch.is_valid(), batch.errors
    assert calls == [body, item, item]
    assert serializers.PredictInputSerializer.validated(dict(item)) == serializers.PredictInputSerializer.validated(
        QueryDict(urlencode(item))
    )
    assert calls == [body, item, item, item]  # the form took DRF's own path


@pytest.mark.filterwarnings("ignore:The list-based error format")  # DRF announces that shape's end
def test_batch_errors_follow_drfs_list_error_setting(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "LIST_SERIALIZER_ERRORS_AS_DICT": False}
    item = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
    data = {"items": [item, {**item, "hour": 99}]}
    fast = outcome(lambda: serializers.PredictBatchInputSerializer.validated(data))
    reference = serializers.PredictBatchInputSerializer(data=data)
    assert fast == outcome(lambda: drf.Serializer.to_internal_value(reference, data))
    assert fast[1]["items"][0] == {}  # the older shape: one entry per item
