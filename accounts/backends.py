"""The model backend, refusing every login from a client IP locked out after repeated failures.

This covers the logins that are not HTTP Basic (the admin, the browsable API's session login and the
token endpoint); Basic answers 429 itself before it gets here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .throttling import login_attempt_allowed


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is not None and not login_attempt_allowed(request):
            raise PermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)
