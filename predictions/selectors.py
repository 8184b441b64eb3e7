"""Read-side queries. The ownership rule of the prediction history lives here and nowhere else."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import RequestLog


def request_log_list(user: AbstractBaseUser | AnonymousUser) -> QuerySet[RequestLog]:
    """Staff see every record; everyone else only their own."""
    records = RequestLog.objects.select_related("user").order_by("-created_at")
    if getattr(user, "is_staff", False):
        return records
    if not user.is_authenticated:
        return records.none()
    return records.filter(user_id=user.pk)
