from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out, user_login_failed  # noqa: PLC0415

        from . import schema  # noqa: F401, PLC0415 - registers the OpenAPI extension
        from .authentication import credentials_forget  # noqa: PLC0415
        from .throttling import failed_login_record  # noqa: PLC0415

        def forget_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if user is not None:
                credentials_forget(user.get_username())

        user_login_failed.connect(failed_login_record, dispatch_uid="accounts.failed_login_record")
        user_logged_out.connect(forget_on_logout, dispatch_uid="accounts.forget_on_logout", weak=False)
