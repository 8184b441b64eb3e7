"""Read-side queries. The ownership rule of the prediction history lives here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Avg, Count, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from . import spool
from .models import Endpoint, RequestLog


def request_log_list(user: AbstractBaseUser | AnonymousUser) -> QuerySet[RequestLog]:
    """Staff see every record; everyone else only their own. Spooled rows are copied in first."""
    spool.copy_in()
    records = RequestLog.objects.select_related("user").order_by("-created_at")
    if getattr(user, "is_staff", False):
        return records
    if not user.is_authenticated:
        return records.none()
    return records.filter(user_id=user.pk)


def request_log_daily(records: QuerySet[RequestLog]) -> list[dict[str, Any]]:
    """Per day: every logged request, and the mean prediction of the successful single predictions."""
    prediction = Cast(KT("output__prediction"), FloatField())
    served = Q(endpoint=Endpoint.PREDICT, status_code=200)
    return list(
        records.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(requests=Count("id"), mean_prediction=Avg(prediction, filter=served))
        .order_by("day")
    )
