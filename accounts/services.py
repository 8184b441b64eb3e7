"""Creating the configured users: the admin and the demo users alice and bob."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from .models import User


@dataclass(frozen=True)
class UserSpec:
    username: str
    password_variable: str
    development_password: str
    is_staff: bool = False
    email: str = ""


def configured_users(environ: Mapping[str, str], include_demo: bool = True) -> list[UserSpec]:
    """The admin (name and e-mail from the environment) and, unless excluded, alice and bob."""
    users = [
        UserSpec(
            username=environ.get("ADMIN_USERNAME", "admin"),
            password_variable="ADMIN_PASSWORD",  # noqa: S106 - the variable's name, not a password
            development_password="admin-dev-password",  # noqa: S106 - development default, refused with DEBUG off
            is_staff=True,
            email=environ.get("ADMIN_EMAIL", "admin@example.com"),
        )
    ]
    if include_demo:
        # The original service's demo credentials, for development only.
        users.append(UserSpec("alice", "DEMO_ALICE_PASSWORD", "wonderland"))
        users.append(UserSpec("bob", "DEMO_BOB_PASSWORD", "builder"))
    return users


class DefaultPasswordRefusedError(ValueError):
    pass


def resolve_password(spec: UserSpec, environ: Mapping[str, str], allow_defaults: bool) -> str:
    password = environ.get(spec.password_variable, "")
    if password and password != spec.development_password:
        return password
    if allow_defaults:
        return password or spec.development_password
    raise DefaultPasswordRefusedError(
        f"{spec.password_variable} must be set to a non-default password for user {spec.username!r} when DEBUG is off."
    )


@transaction.atomic
def user_upsert(spec: UserSpec, password: str) -> tuple[User, bool]:
    """Create the user, or bring an existing one in line (password, staff flags)."""
    user, created = User.objects.get_or_create(username=spec.username, defaults={"email": spec.email})
    user.is_staff = user.is_superuser = spec.is_staff
    if spec.email:
        user.email = spec.email
    user.set_password(password)
    user.save()
    return user, created


def users_create_from_environment(
    environ: Mapping[str, str] | None = None, allow_defaults: bool = False, include_demo: bool = True
) -> list[tuple[User, bool]]:
    environ = os.environ if environ is None else environ
    specs = configured_users(environ, include_demo)
    # Check every password before writing anything: all users or none.
    passwords = [resolve_password(spec, environ, allow_defaults) for spec in specs]
    return [user_upsert(spec, password) for spec, password in zip(specs, passwords, strict=True)]
