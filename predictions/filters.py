from datetime import UTC, datetime

import django_filters
from django import forms

from .models import Endpoint, RequestLog


class WholeNumberField(forms.IntegerField):
    """Digits only: Django's IntegerField would also take "200.0"."""

    def to_python(self, value: object) -> int | None:
        if value not in self.empty_values and not str(value).strip().lstrip("-").isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IntegerFilter(django_filters.NumberFilter):
    field_class = WholeNumberField


MIN_DATETIME = datetime(1, 1, 2, tzinfo=UTC)
MAX_DATETIME = datetime(9999, 12, 30, tzinfo=UTC)


class NoEmptyValuesForm(forms.Form):
    """?status= or ?created_after= with nothing after it is a mistake to report, not a filter to skip."""

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):  # free text: empty simply matches nothing
                continue
            if name in self.data and str(self.data[name]).strip() == "":
                self.add_error(name, "Must not be empty; leave the parameter out to not filter by it.")
        return cleaned


class UtcDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time turned into UTC here: PostgreSQL refuses offsets beyond ±15:59, and a
    date near year 1 can overflow once converted; both are the client's mistake (400), not a 503."""

    def clean(self, value: object) -> datetime | None:
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        except OverflowError as exc:
            raise forms.ValidationError("Out of range once converted to UTC.") from exc
        if not MIN_DATETIME <= utc <= MAX_DATETIME:
            raise forms.ValidationError(f"Must be between {MIN_DATETIME:%Y-%m-%d} and {MAX_DATETIME:%Y-%m-%d}.")
        return utc


class UtcDateTimeFilter(django_filters.DateTimeFilter):
    field_class = UtcDateTimeField


class RequestLogFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="model_name", lookup_expr="iexact", help_text="Model name.")
    status = IntegerFilter(field_name="status_code", help_text="HTTP status code, e.g. 200.")
    endpoint = django_filters.ChoiceFilter(choices=Endpoint.choices)
    created_after = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date or date-time, inclusive."
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="ISO 8601 date or date-time, exclusive."
    )
    user = django_filters.CharFilter(
        field_name="user__username", help_text="Username (staff only; others only ever see their own)."
    )

    class Meta:
        model = RequestLog
        form = NoEmptyValuesForm
        fields = ["model", "status", "endpoint", "created_after", "created_before", "user"]
