import django_filters

from .models import Endpoint, RequestLog


class RequestLogFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="model_name", lookup_expr="iexact", help_text="Model name.")
    status = django_filters.NumberFilter(field_name="status_code", help_text="HTTP status code, e.g. 200.")
    endpoint = django_filters.ChoiceFilter(choices=Endpoint.choices)
    created_after = django_filters.DateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date or date-time, inclusive."
    )
    created_before = django_filters.DateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="ISO 8601 date or date-time, exclusive."
    )
    user = django_filters.CharFilter(
        field_name="user__username", help_text="Username (staff only; others only ever see their own)."
    )

    class Meta:
        model = RequestLog
        fields = ["model", "status", "endpoint", "created_after", "created_before", "user"]
