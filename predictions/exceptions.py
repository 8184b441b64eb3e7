"""One error shape for the whole API: {"detail", "code", ["errors"], ["request_id"]}."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .ml.artifacts import ArtifactError
from .ml.registry import UnknownModelError
from .parsers import RequestTooLarge

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable."
    default_code = "service_unavailable"


def first_error_path(errors: Any, prefix: str = "") -> tuple[str, str]:
    """('items[3].weather', 'message') for the first leaf of a DRF error structure."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if not value:
                continue
            if isinstance(key, int) or str(key).isdigit():  # list items are keyed by position
                return first_error_path(value, f"{prefix}[{key}]")
            name = "" if key == "non_field_errors" else str(key)
            return first_error_path(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    if isinstance(errors, list):
        for index, value in enumerate(errors):
            if value and isinstance(value, dict | list):
                return first_error_path(value, f"{prefix}[{index}]")
            if value:
                return prefix, str(value)
    return prefix, str(errors)


def _translate(exc: Exception) -> Exception:
    """Domain and infrastructure errors -> API exceptions with the right status."""
    if isinstance(exc, ArtifactError):
        return ServiceUnavailable(detail=f"Models unavailable: {exc}", code="models_unavailable")
    if isinstance(exc, RequestDataTooBig):  # Django's own cap, when DRF reads the body through request.body
        return RequestTooLarge(f"Request body too large: at most {settings.API_MAX_BODY_BYTES} bytes are accepted.")
    if isinstance(exc, UnknownModelError):
        return exceptions.NotFound(detail=str(exc), code="unknown_model")
    if isinstance(exc, DatabaseError):
        logger.error("database error: %s", exc)
        return ServiceUnavailable(detail="The database is unavailable; try again shortly.", code="database_unavailable")
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    original, exc = exc, _translate(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django answer 500 and log the traceback
    body: dict[str, Any]
    if isinstance(exc, exceptions.ValidationError):
        path, message = first_error_path(response.data)
        body = {
            "detail": f"{path}: {message}" if path else message,
            "code": "invalid",
            "errors": response.data if isinstance(response.data, dict) else {"non_field_errors": response.data},
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {"detail": str(response.data.get("detail", exc)), "code": codes if isinstance(codes, str) else "error"}
    if isinstance(original, UnknownModelError):
        body["known_models"] = original.known
    request_id = getattr(context.get("view"), "request_id", None)
    if request_id is not None:
        body["request_id"] = str(request_id)
    response.data = body
    return response
