"""HTTP Basic that does not pay the password hasher on every request.

Django's hasher costs a few hundred milliseconds of CPU per check on purpose, which Basic auth would
pay on every call. After one successful check, the verified credentials are remembered for
BASIC_AUTH_CACHE_SECONDS under a keyed hash (HMAC-SHA256 with SECRET_KEY of username and password:
the cache never holds a password or anything that can be reversed without SECRET_KEY). A hit still
loads the user (one query) and is refused when the user is inactive, when the stored password hash
changed since (password change) or when the user logged out since (a per-user generation bumped on
logout and password change). The trade-off: a request with a remembered password skips the hasher,
so a password that leaked stays as valid as it is anyway until it is changed, and not one second
longer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authentication import BasicAuthentication

from .throttling import failed_login_check

logger = logging.getLogger(__name__)


def _digest(*parts: str) -> str:
    message = "\x00".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def credentials_key(username: str, password: str) -> str:
    return f"basic-auth:{_digest('credentials', username, password)}"


def generation_key(username: str) -> str:
    return f"basic-auth-generation:{_digest('generation', username)}"


def password_fingerprint(password_hash: str) -> str:
    return _digest("password-hash", password_hash)


def credentials_forget(username: str) -> None:
    """Drop every remembered credential of this user (logout, password change)."""
    try:
        cache.set(generation_key(username), secrets.token_hex(16), timeout=None)
    except Exception:
        logger.warning("could not drop cached credentials of %s: the cache is unavailable", username, exc_info=True)


class CachedBasicAuthentication(BasicAuthentication):
    def authenticate_credentials(self, userid: str, password: str, request: Any = None) -> tuple[Any, None]:
        if request is not None:
            failed_login_check(request)
        if settings.BASIC_AUTH_CACHE_SECONDS <= 0:
            return super().authenticate_credentials(userid, password, request)
        key, generation = credentials_key(userid, password), generation_key(userid)
        try:
            remembered = cache.get_many([key, generation])
        except Exception:
            logger.warning("credential cache unavailable", exc_info=True)
            return super().authenticate_credentials(userid, password, request)
        user = self._remembered_user(remembered.get(key), remembered.get(generation))
        if user is not None:
            return user, None
        user, _ = super().authenticate_credentials(userid, password, request)
        entry = (user.pk, password_fingerprint(user.password), remembered.get(generation))
        try:
            cache.set(key, entry, timeout=settings.BASIC_AUTH_CACHE_SECONDS)
        except Exception:
            logger.warning("credential cache unavailable", exc_info=True)
        return user, None

    @staticmethod
    def _remembered_user(entry: Any, current_generation: Any) -> Any:
        if entry is None:
            return None
        user_pk, fingerprint, generation = entry
        if generation != current_generation:
            return None
        user = get_user_model()._default_manager.filter(pk=user_pk).first()
        if user is None or not user.is_active:
            return None
        if not hmac.compare_digest(password_fingerprint(user.password), fingerprint):
            return None
        return user
