"""Input serializers normalise names to codes through ml.vocabulary; output serializers document shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, NamedTuple

from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from .constants import BATCH_MAX_ITEMS
from .ml import vocabulary
from .ml.registry import UnknownModelError
from .ml.training import MODEL_CATALOGUE
from .models import RequestLog
from .registry import get_registry


def vocabulary_schema(field: str) -> dict[str, Any]:
    """An integer code in range, or one of the field's spellings (matched case- and accent-insensitively)."""
    codes = vocabulary.CODE_RANGES[field]
    return {
        "oneOf": [
            {"type": "integer", "minimum": codes.start, "maximum": codes.stop - 1},
            {"type": "string", "enum": vocabulary.accepted_strings()[field]},
        ]
    }


class VocabularyField(serializers.Field):
    """A name, an abbreviation or a code; validated and turned into the UCI code."""

    def __init__(self, field: str, to_code: Callable[[object], int], accepted: str, **kwargs: Any) -> None:
        self.to_code = to_code
        self.vocabulary_name = field
        kwargs.setdefault("help_text", f"Accepted: {accepted}.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return self.to_code(data)
        except vocabulary.VocabularyError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    @staticmethod
    def error_detail(exc: vocabulary.VocabularyError) -> Any:
        """The detail to_internal_value's ValidationError would carry."""
        return serializers.ValidationError(str(exc)).detail

    def to_representation(self, value: int) -> int:
        return value

    @property
    def openapi_schema(self) -> dict[str, Any]:
        return vocabulary_schema(self.vocabulary_name)


# Sent by HTML forms (the browsable API) for Django's CSRF check; not an input of ours.
FORM_TRANSPORT_FIELDS = frozenset({"csrfmiddlewaretoken"})


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only (1, "yes" or "true" are ambiguous); HTML forms keep their "on"/"true"."""

    # An unchecked box sends nothing: "not given", so the default applies as in JSON (DRF's BooleanField
    # would read it as false, making every day a non-working day when the form is posted).
    default_empty_html = empty

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool) or isinstance(getattr(self.root, "initial_data", None), QueryDict):
            return bool(super().to_internal_value(data))
        self.fail("invalid", input=data)
        raise AssertionError  # fail() raises; this line only satisfies the type checker


class FieldRule(NamedTuple):
    field: serializers.Field
    convert: Callable[[Any], Any]  # a present, non-null value -> its internal value, or ValidationError
    allow_null: bool


@dataclass(frozen=True, slots=True)
class ObjectRules:
    """How the JSON fast path validates one serializer's objects; worked out once per class."""

    fields: dict[str, FieldRule]  # in declared order
    declared: frozenset[str]
    accepted: frozenset[str]  # declared, and an HTML form's transport fields
    required: frozenset[str]
    defaults: dict[str, Any]  # absent fields that have one get their (constant) default


def validate_json_object(data: Mapping[str, Any], rules: ObjectRules) -> dict[str, Any]:
    """What DRF's Serializer.to_internal_value does for a JSON object of declared fields, without its
    per-request field copies.

    DRF deep-copies and binds every field for every serializer instance and runs each value through
    several generic steps: most of the cost of a batch of 1,000 items. Here the class-level fields
    validate the values directly (they keep no per-request state), and only the fields present are
    visited; ``tests/api/test_fast_validation.py`` checks the result and every error message against
    DRF's own path on generated inputs.
    """
    validated = dict(rules.defaults)
    errors: dict[str, Any] = {}
    for name, value in data.items():
        field, convert, allow_null = rules.fields[name]
        try:
            if value is None:
                if not allow_null:
                    field.fail("null")
                validated[name] = None
            else:
                validated[name] = convert(value)
        except serializers.ValidationError as exc:
            errors[name] = exc.detail
        except vocabulary.VocabularyError as exc:  # a vocabulary field's converter is the lookup itself
            errors[name] = VocabularyField.error_detail(exc)
    missing = rules.required - data.keys()
    if errors or missing:
        raise serializers.ValidationError(_in_declared_order(errors, missing, rules))
    return validated


def _in_declared_order(errors: dict[str, Any], missing: frozenset[str], rules: ObjectRules) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    for name, rule in rules.fields.items():
        if name in missing:
            try:
                rule.field.fail("required")
            except serializers.ValidationError as exc:
                ordered[name] = exc.detail
        elif name in errors:
            ordered[name] = errors[name]
    return ordered


class JSONObjectSerializerMixin:
    # Serializers whose JSON objects are validated by validate_json_object, and whose unknown fields are
    # refused: a misspelt optional field ("wheather") must not be silently ignored. (A comment, not a
    # docstring: drf-spectacular would show a docstring as the description of every serializer.)

    _declared_fields: Mapping[str, serializers.Field]

    @classmethod
    def validated(cls, data: Any) -> dict[str, Any]:
        """What ``cls(data=data).is_valid(raise_exception=True)`` leaves in ``validated_data``.

        A JSON object needs no serializer instance: building one makes DRF copy and bind every field,
        which costs more than validating the values. Anything else takes DRF's own path.
        """
        if type(data) is dict:
            return cls.json_object_validated(data)
        serializer = cls(data=data)  # type: ignore[call-arg]
        serializer.is_valid(raise_exception=True)  # type: ignore[attr-defined]
        return dict(serializer.validated_data)  # type: ignore[attr-defined]

    @classmethod
    def json_object_validated(cls, data: dict[str, Any]) -> dict[str, Any]:
        rules = _object_rules(cls)
        if not data.keys() <= rules.declared:
            cls.validate_unknown_fields(data)  # refuses unknown names; a form's transport fields remain
            data = {name: value for name, value in data.items() if name in rules.declared}
        return validate_json_object(data, rules)

    @classmethod
    def validate_unknown_fields(cls, data: Any) -> None:
        # The declared (class-level) fields: their names are all this needs, and reading self.fields
        # would deep-copy every field on every request.
        accepted = _object_rules(cls).accepted
        if isinstance(data, Mapping) and not data.keys() <= accepted:
            unknown = sorted(set(data) - accepted)
            message = f"Unknown field. Accepted fields: {', '.join(cls._declared_fields)}."
            raise serializers.ValidationError({name: [message] for name in unknown})

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # Exactly dict: what the JSON parser returns. An HTML form's QueryDict is a dict subclass, and
        # its "on" checkboxes and repeated keys need DRF's own path.
        if type(data) is dict:
            return self.json_object_validated(data)
        self.validate_unknown_fields(data)
        return super().to_internal_value(data)  # type: ignore[misc,no-any-return]


@cache
def _object_rules(serializer_class: type[JSONObjectSerializerMixin]) -> ObjectRules:
    fields: dict[str, FieldRule] = {}
    defaults: dict[str, Any] = {}
    for name, field in serializer_class._declared_fields.items():
        if field.default is not empty:
            if callable(field.default):
                raise TypeError(f"{serializer_class.__name__}.{name}: the JSON fast path takes constant defaults only")
            defaults[name] = field.default
        if isinstance(field, VocabularyField):
            convert = field.to_code  # no validators to run; its VocabularyError becomes the field's error
        elif isinstance(field, StrictBooleanField):
            convert = field.to_internal_value  # no validators to run
        elif isinstance(field, serializers.ListSerializer) and isinstance(field.child, JSONObjectSerializerMixin):
            convert = partial(_list_of_objects_validated, field)
        else:
            convert = field.run_validation
        fields[name] = FieldRule(field, convert, field.allow_null)
    required = frozenset(name for name, rule in fields.items() if rule.field.required)
    declared = frozenset(fields)
    return ObjectRules(fields, declared, declared | FORM_TRANSPORT_FIELDS, required, defaults)


def _list_of_objects_validated(field: serializers.ListSerializer, value: Any) -> list[dict[str, Any]]:
    """A list of JSON objects, each through its serializer's fast path, with DRF's error shape.

    Anything else (not a list, too short or long, an item that is not an object) takes DRF's own
    path and gets its messages.
    """
    if not _is_list_of_objects_in_size(field, value):
        return field.run_validation(value)  # type: ignore[no-any-return]
    child = type(field.child)
    validated: list[dict[str, Any]] = []
    errors: dict[int, Any] = {}
    for index, item in enumerate(value):
        try:
            validated.append(child.json_object_validated(item))
        except serializers.ValidationError as exc:
            errors[index] = exc.detail
    if errors:  # keyed by item, as DRF does by default; its older shape is a list with {} for good items
        if not api_settings.LIST_SERIALIZER_ERRORS_AS_DICT:
            raise serializers.ValidationError([errors.get(index, {}) for index in range(len(value))])
        raise serializers.ValidationError(errors)
    return validated


def _is_list_of_objects_in_size(field: serializers.ListSerializer, value: Any) -> bool:
    if type(value) is not list or not all(type(item) is dict for item in value):
        return False
    size = len(value)
    return (
        (field.allow_empty or size > 0)
        and (field.min_length is None or size >= field.min_length)
        and (field.max_length is None or size <= field.max_length)
    )


class DemandQuerySerializer(JSONObjectSerializerMixin, serializers.Serializer):
    hour = VocabularyField("hour", vocabulary.hour_code, vocabulary.HOUR_ACCEPTED)
    weekday = VocabularyField("weekday", vocabulary.weekday_code, vocabulary.WEEKDAY_ACCEPTED)
    month = VocabularyField("month", vocabulary.month_code, vocabulary.MONTH_ACCEPTED)
    weather = VocabularyField("weather", vocabulary.weather_code, vocabulary.WEATHER_ACCEPTED)
    year = serializers.ChoiceField(
        choices=vocabulary.YEARS,
        required=False,
        initial=vocabulary.YEARS[-1],  # what the browsable API's form shows first
        help_text=f"Accepted: {vocabulary.YEAR_ACCEPTED}. Default: the most recent year in the training data.",
        error_messages={"invalid_choice": f'"{{input}}" is not a valid year. Accepted: {vocabulary.YEAR_ACCEPTED}.'},
    )
    holiday = StrictBooleanField(required=False, default=False, help_text="Default: false.")
    workingday = StrictBooleanField(
        required=False, allow_null=True, default=None, help_text="Default: Monday-Friday and not a holiday."
    )

    def run_validators(self, value: Any) -> None:
        # DRF's version walks every field looking for read-only defaults, once per item of a batch;
        # this serializer has neither read-only fields nor serializer-level validators.
        if self.validators:
            super().run_validators(value)


@extend_schema_field({"type": "string", "enum": ["", *MODEL_CATALOGUE]})
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


class PredictBatchInputSerializer(JSONObjectSerializerMixin, serializers.Serializer):
    items = DemandQuerySerializer(
        many=True,
        min_length=1,
        max_length=BATCH_MAX_ITEMS,
        help_text=f"1 to {BATCH_MAX_ITEMS} inputs, each as for POST /api/predict/ (without model).",
    )
    model = ModelNameField()


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


@extend_schema_serializer(many=False)  # the body of a list action, but one object
class ScoreListSerializer(serializers.Serializer):
    user = serializers.CharField()
    artifact_version = serializers.CharField()
    default_model = serializers.CharField()
    default_model_rule = serializers.CharField()
    models = ScoreSerializer(many=True)


@extend_schema_serializer(many=False)  # the body of a list action, but one object
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


@extend_schema_serializer(many=False)  # the body of a list action, but one object
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
