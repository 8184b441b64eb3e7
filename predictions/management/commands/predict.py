"""python manage.py predict --hour 15 --weekday Friday --month June --weather Cloudy"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions import services
from predictions.exceptions import first_error_path
from predictions.ml.artifacts import ArtifactError
from predictions.serializers import PredictInputSerializer


class Command(BaseCommand):
    help = (
        "Predict the rentals of one hour, for someone at a terminal. Accepts what the API accepts: names "
        "in English or French, abbreviations or codes. Not written to the request log (only API calls are)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hour", required=True, help="0-23, '15h' or '3pm'.")
        parser.add_argument("--weekday", required=True, help="Friday, Fri, vendredi or 0-6 (0 = Sunday).")
        parser.add_argument("--month", required=True, help="June, Jun, juin or 1-12.")
        parser.add_argument("--weather", required=True, help="Clear, Cloudy, Rainy, Storm (or 1-4, or French).")
        parser.add_argument("--year", type=int, help="2011 or 2012 (default: the latest in the training data).")
        parser.add_argument("--holiday", action="store_true", help="The day is a public holiday.")
        parser.add_argument("--model", help="A model name (default: the default model).")

    def handle(self, *args: Any, **options: Any) -> None:
        data = {name: options[name] for name in ("hour", "weekday", "month", "weather")}
        data.update({name: options[name] for name in ("year", "model") if options[name] is not None})
        data["holiday"] = options["holiday"]
        try:
            inputs = PredictInputSerializer(data=data)
            if not inputs.is_valid():
                path, message = first_error_path(inputs.errors)
                raise CommandError(f"--{path}: {message}")
            validated = dict(inputs.validated_data)
            result = services.prediction_create(validated, validated.pop("model", None), services.LogDetails())
        except ArtifactError as exc:
            raise CommandError(str(exc)) from exc
        described = result.queries[0].describe()
        day = "a working day" if described["workingday"] else "not a working day"
        holiday = ", a holiday" if described["holiday"] else ""
        self.stdout.write(
            f"{described['weekday']} in {described['month']} {described['year']} at {described['hour']}h, "
            f"{described['weather'].lower()} ({day}{holiday}):"
        )
        self.stdout.write(self.style.SUCCESS(f"  {result.predictions[0]} bikes rented in that hour (predicted)"))
        self.stdout.write(f"  model {result.model}, artifacts {result.artifact_version}")
