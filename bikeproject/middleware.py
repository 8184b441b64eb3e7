"""Middleware that belongs to the deployment, not to a domain app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

LIVENESS_PATH = "/healthz/"


class LivenessMiddleware:
    """Answers GET /healthz/ before any other middleware: the process is up and serving HTTP.

    It touches neither the database nor the models and writes no log row, and it runs before host
    validation and the HTTPS redirect, so probes work with any ALLOWED_HOSTS. A database outage makes
    pods unready (/api/status/ answers 503) but never makes the liveness probe restart them all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH and request.method in {"GET", "HEAD"}:
            return JsonResponse({"status": "alive"})
        return self.get_response(request)
