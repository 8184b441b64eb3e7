import re
import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

# A JSON "\u0000" escape that is not itself escaped (preceded by an even number of backslashes).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


class LogJSONEncoder(DjangoJSONEncoder):
    """Stores what clients sent, as sent, except NUL: PostgreSQL's jsonb cannot hold U+0000, and a
    hostile input must not cost its log row. NUL becomes U+FFFD (the replacement character)."""

    def encode(self, o: Any) -> str:
        text = super().encode(o)
        return _NUL_ESCAPE.sub(r"\1\\ufffd", text) if "\\u0000" in text else text


class Endpoint(models.TextChoices):
    PREDICT = "predict", "Predict"
    PREDICT_BATCH = "predict_batch", "Batch predict"
    SCORES = "scores", "Scores"


class RequestLog(models.Model):
    """One row per call to predict, batch or scores, whatever its outcome. Its id is the request_id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request_logs",
        db_index=False,  # the (user, -created_at) index below serves user lookups; one b-tree less per insert
    )
    endpoint = models.CharField(max_length=32, choices=Endpoint.choices)
    status_code = models.PositiveSmallIntegerField()
    inputs = models.JSONField(
        default=dict, blank=True, encoder=LogJSONEncoder, help_text="The request body or path parameters, as sent."
    )
    features = models.JSONField(
        null=True, blank=True, encoder=LogJSONEncoder, help_text="Normalised model features, when validation passed."
    )
    output = models.JSONField(null=True, blank=True, encoder=LogJSONEncoder, help_text="The response body.")
    model_name = models.CharField(max_length=64, blank=True)
    artifact_version = models.CharField(max_length=64, blank=True)
    latency_ms = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="requestlog_user_created")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} {self.created_at:%Y-%m-%d %H:%M:%S}"
