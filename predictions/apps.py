from django.apps import AppConfig


class PredictionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "predictions"
    verbose_name = "Predictions"

    def ready(self) -> None:
        from . import schema  # noqa: F401, PLC0415 - registers the OpenAPI extension
