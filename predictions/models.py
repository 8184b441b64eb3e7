import json
import math
import re
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .ids import uuid7

# A JSON "\u0000" escape that is not itself escaped (preceded by an even number of backslashes).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


class JSONText(str):
    """Text that is JSON already (a request body as sent, a response as rendered): stored as it is."""


class LogJSONEncoder(DjangoJSONEncoder):
    """Stores what clients sent, as sent, except NUL: PostgreSQL's jsonb cannot hold U+0000, and a
    hostile input must not cost its log row. NUL becomes U+FFFD (the replacement character).

    JSONText is stored as it is: the log keeps the bytes that crossed the wire (``1e400`` stays
    ``1e400``; parsed, it would become a float that re-encodes to ``Infinity``, which is not JSON),
    and nothing is encoded twice.
    """

    def encode(self, o: Any) -> str:
        text = str(o) if isinstance(o, JSONText) else super().encode(o)
        return _NUL_ESCAPE.sub(r"\1\\ufffd", text) if "\\u0000" in text else text


def _float_or_text(text: str) -> float | str:
    number = float(text)
    return number if math.isfinite(number) else text


class LogJSONDecoder(json.JSONDecoder):
    """Reads back what LogJSONEncoder stored. A number beyond float range (``1e400`` as sent) comes back
    as its text: as a float it would be inf, which no JSON response can carry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", _float_or_text)
        super().__init__(*args, **kwargs)


class Endpoint(models.TextChoices):
    PREDICT = "predict", "Predict"
    PREDICT_BATCH = "predict_batch", "Batch predict"
    SCORES = "scores", "Scores"


def _log_json_field(**options: Any) -> "models.JSONField[Any, Any]":
    """A JSON column of the request log: stored as sent (NUL aside), read back JSON-safe."""
    return models.JSONField(blank=True, encoder=LogJSONEncoder, decoder=LogJSONDecoder, **options)


class RequestLog(models.Model):
    """One row per call to predict, batch or scores, whatever its outcome. Its id is the request_id.

    The id is a time-ordered UUID (version 7, ``predictions/ids.py``): new rows append to the primary key.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
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
    inputs = _log_json_field(default=dict, help_text="The request body or path parameters, as sent.")
    features = _log_json_field(null=True, help_text="Normalised model features, when validation passed.")
    output = _log_json_field(null=True, help_text="The response body.")
    model_name = models.CharField(max_length=64, blank=True)
    artifact_version = models.CharField(max_length=64, blank=True)
    latency_ms = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="requestlog_user_created")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} {self.created_at:%Y-%m-%d %H:%M:%S}"
