"""Input serializers normalise names to codes through ml.vocabulary; output serializers document shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .constants import BATCH_MAX_ITEMS
from .ml import vocabulary
from .ml.registry import UnknownModelError
from .models import RequestLog
from .registry import get_registry


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class VocabularyField(serializers.Field):
    """A name, an abbreviation or a code; validated and turned into the UCI code."""

    def __init__(self, to_code: Callable[[object], int], accepted: str, **kwargs: Any) -> None:
        self.to_code = to_code
        kwargs.setdefault("help_text", f"Accepted: {accepted}.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return self.to_code(data)
        except vocabulary.VocabularyError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: int) -> int:
        return value


# Sent by HTML forms (the browsable API) for Django's CSRF check; not an input of ours.
FORM_TRANSPORT_FIELDS = frozenset({"csrfmiddlewaretoken"})


class RejectUnknownFieldsMixin:
    """A misspelt optional field ("wheather") must not be silently ignored."""

    fields: Mapping[str, serializers.Field]

    def validate_unknown_fields(self, data: Any) -> None:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - FORM_TRANSPORT_FIELDS)
            if unknown:
                accepted = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Accepted fields: {accepted}."] for name in unknown}
                )


class DemandQuerySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    hour = VocabularyField(vocabulary.hour_code, vocabulary.HOUR_ACCEPTED)
    weekday = VocabularyField(vocabulary.weekday_code, vocabulary.WEEKDAY_ACCEPTED)
    month = VocabularyField(vocabulary.month_code, vocabulary.MONTH_ACCEPTED)
    weather = VocabularyField(vocabulary.weather_code, vocabulary.WEATHER_ACCEPTED)
    year = serializers.ChoiceField(
        choices=vocabulary.YEARS,
        required=False,
        help_text=f"Accepted: {vocabulary.YEAR_ACCEPTED}. Default: the most recent year in the training data.",
        error_messages={"invalid_choice": f'"{{input}}" is not a valid year. Accepted: {vocabulary.YEAR_ACCEPTED}.'},
    )
    holiday = serializers.BooleanField(required=False, default=False, help_text="Default: false.")
    workingday = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Default: Monday-Friday and not a holiday."
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        self.validate_unknown_fields(data)
        return super().to_internal_value(data)


class ModelNameField(serializers.CharField):
    """A catalogue model name, case-insensitive; resolved to its catalogue spelling."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text", "A model name from GET /api/scores/ (case-insensitive). Default: the default model."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        name = super().to_internal_value(data)
        try:
            return get_registry().resolve_name(name or None)
        except UnknownModelError as exc:
            raise serializers.ValidationError(f"Unknown model {name!r}. Accepted: {', '.join(exc.known)}.") from exc


class PredictInputSerializer(DemandQuerySerializer):
    model = ModelNameField()


class PredictBatchInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    items = DemandQuerySerializer(
        many=True,
        min_length=1,
        max_length=BATCH_MAX_ITEMS,
        help_text=f"1 to {BATCH_MAX_ITEMS} inputs, each as for POST /api/predict/ (without model).",
    )
    model = ModelNameField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        self.validate_unknown_fields(data)
        return super().to_internal_value(data)


class NormalisedInputsSerializer(serializers.Serializer):
    hour = serializers.IntegerField()
    weekday = serializers.CharField()
    month = serializers.CharField()
    weather = serializers.CharField()
    year = serializers.IntegerField()
    holiday = serializers.BooleanField()
    workingday = serializers.BooleanField()


class ServedRequestSerializer(serializers.Serializer):
    """What every prediction response says about how it was served."""

    request_id = serializers.UUIDField(help_text="Also the id of the record in GET /api/predictions/{id}/.")
    user = serializers.CharField()
    model = serializers.CharField()
    artifact_version = serializers.CharField()


class PredictOutputSerializer(ServedRequestSerializer):
    prediction = serializers.IntegerField(min_value=0, help_text="Predicted rentals in that hour.")
    inputs = NormalisedInputsSerializer()


class PredictBatchOutputSerializer(ServedRequestSerializer):
    count = serializers.IntegerField()
    predictions = serializers.ListField(
        child=serializers.IntegerField(min_value=0), help_text="Predicted rentals, one per item, in order."
    )
    inputs = NormalisedInputsSerializer(many=True, help_text="The normalised items, in the same order.")


class ScoreSerializer(serializers.Serializer):
    user = serializers.CharField(required=False, help_text="Who asked (absent inside the list).")
    model = serializers.CharField()
    is_default = serializers.BooleanField()
    artifact_version = serializers.CharField()
    r2 = serializers.FloatField(help_text="R² on the shuffled 80/20 split (random_state=42).")
    mae = serializers.FloatField(help_text="Mean absolute error, rentals, shuffled split.")
    rmse = serializers.FloatField(help_text="Root mean squared error, rentals, shuffled split.")
    score = serializers.FloatField(help_text="Same as r2: the original service's name for it.")
    chronological_r2 = serializers.FloatField(help_text="R² on the last four months of 2012, trained on before.")
    chronological_mae = serializers.FloatField()
    chronological_rmse = serializers.FloatField()


class ScoreListSerializer(serializers.Serializer):
    user = serializers.CharField()
    artifact_version = serializers.CharField()
    default_model = serializers.CharField()
    default_model_rule = serializers.CharField()
    models = ScoreSerializer(many=True)


class ModelsInfoSerializer(serializers.Serializer):
    artifact_version = serializers.CharField()
    created_at = serializers.DateTimeField()
    default_model = serializers.CharField()
    default_model_rule = serializers.CharField()
    models = serializers.ListField(child=serializers.CharField())
    features = serializers.ListField(child=serializers.CharField())
    feature_defaults = serializers.DictField()
    data = serializers.DictField(help_text="Source, SHA-256, format and the cleaning report.")
    evaluation = serializers.DictField()
    versions = serializers.DictField(help_text="Python and library versions used for training.")


class StatusSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="1 when ready, 0 when not.")
    artifact_version = serializers.CharField(required=False)
    default_model = serializers.CharField(required=False)
    models = serializers.ListField(child=serializers.CharField(), required=False)
    problems = serializers.ListField(child=serializers.CharField(), required=False)


class RequestLogSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None, read_only=True)
    model = serializers.CharField(source="model_name", read_only=True)

    class Meta:
        model = RequestLog
        fields = [
            "id",
            "user",
            "endpoint",
            "status_code",
            "model",
            "artifact_version",
            "inputs",
            "features",
            "output",
            "latency_ms",
            "created_at",
        ]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Field name -> messages, for invalid input.")
    request_id = serializers.UUIDField(required=False)
