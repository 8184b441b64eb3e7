"""OpenAPI: the cached Basic authentication is documented as plain HTTP Basic."""

from drf_spectacular.authentication import BasicScheme


class CachedBasicScheme(BasicScheme):
    target_class = "accounts.authentication.CachedBasicAuthentication"
