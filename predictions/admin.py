from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import spool
from .models import RequestLog


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence of what was served, so nobody edits or deletes it here."""

    list_display = ["created_at", "user", "endpoint", "status_code", "model_name", "artifact_version", "latency_ms"]
    list_filter = ["endpoint", "status_code", "model_name", "created_at", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["id", "user__username", "model_name", "artifact_version"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = [field.name for field in RequestLog._meta.fields]
    show_full_result_count = False  # a count(*) over a large log on every page view is costly

    def get_queryset(self, request: HttpRequest) -> Any:
        spool.copy_in()  # rows still in the request log's spool first (predictions/spool.py)
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
