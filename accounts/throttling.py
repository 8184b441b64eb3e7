"""Rate limits in the shared cache: per user, per client IP, and failed logins per client IP.

Counters live in Django's default cache: Redis when REDIS_URL is set (shared by every worker and
pod), process memory otherwise. If the cache is unreachable the limits fail open (the request is
served and a warning logged): an outage of a cache must not become an outage of the API.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

FAILED_LOGIN_KEY = "login-failures:{ident}"


class FixedWindowRateLimit(SimpleRateThrottle):
    """At most N requests per period and client, counted with one atomic increment per request.

    DRF's own throttles keep a list of every request's timestamp in the cache and re-write the whole
    list on each request: at thousands of requests a minute that is a large pickle per request. A
    fixed window is one integer per client and period (a client may burst up to 2N across a window
    boundary; the limits here are about abuse, not billing). If the cache is unreachable the limit
    fails open: the request is served and a warning logged.
    """

    seconds_left = 1.0

    def get_rate(self) -> str | None:
        # Read at call time (DRF reads it once at import), so a settings change applies at once.
        rate: str | None = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return rate

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = self.get_rate()
        ident = self.get_cache_key(request, view) if rate else None
        if rate is None or ident is None:
            return True
        limit, period = self.parse_rate(rate)
        if limit is None or period is None:
            return True
        now = time.time()
        window = int(now // period)
        self.seconds_left = (window + 1) * period - now
        key = f"{ident}:{window}"
        try:
            count = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
        except ValueError:  # the window's key expired between add and incr
            count = 1
        except Exception:
            logger.warning("rate limit not applied: the cache is unavailable", exc_info=True)
            return True
        return bool(count <= limit)

    def wait(self) -> float:
        return max(1.0, self.seconds_left)


class UserRateLimit(FixedWindowRateLimit):
    """THROTTLE_USER_RATE per authenticated user (anonymous callers: per IP)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = request.user
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return f"throttle:user:{ident}"


class AnonymousRateLimit(FixedWindowRateLimit):
    """THROTTLE_ANON_RATE per client IP for unauthenticated callers."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user is not None and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


def client_ident(request: Any) -> str:
    """The client's IP as DRF's throttles see it (NUM_PROXIES decides whether X-Forwarded-For counts)."""
    return str(BaseThrottle().get_ident(request))


def _failure_window() -> tuple[int, int]:
    return settings.LOGIN_FAILURES_MAX, settings.LOGIN_FAILURES_WINDOW_SECONDS


def failed_login_check(request: Any) -> None:
    """Raise Throttled (429 with Retry-After) once a client IP has failed too many logins in the window."""
    limit, window = _failure_window()
    try:
        record = cache.get(FAILED_LOGIN_KEY.format(ident=client_ident(request)))
    except Exception:
        logger.warning("failed-login limit not applied: the cache is unavailable", exc_info=True)
        return
    if record is None:
        return
    count, first_at = record
    if count >= limit:
        raise Throttled(
            wait=max(1, int(first_at + window - time.time())),
            detail="Too many failed logins from this address; wait before trying again.",
        )


def failed_login_record(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """user_login_failed receiver: count the failure against the client IP (Basic, token and session logins)."""
    if request is None:
        return
    _, window = _failure_window()
    key = FAILED_LOGIN_KEY.format(ident=client_ident(request))
    try:
        count, first_at = cache.get(key) or (0, time.time())
        remaining = max(1, int(first_at + window - time.time()))
        cache.set(key, (count + 1, first_at), timeout=remaining)
    except Exception:
        logger.warning("failed login not counted: the cache is unavailable", exc_info=True)


def login_attempt_allowed(request: Any) -> bool:
    """For the authentication backend: False while the client IP is locked out (no 429 possible there)."""
    try:
        failed_login_check(request)
    except Throttled:
        return False
    return True
