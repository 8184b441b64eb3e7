"""/dashboard/: model scores, a day's demand curve and the prediction history, as charts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import charts, selectors, services
from .ml import vocabulary
from .ml.artifacts import ArtifactError
from .registry import get_registry

WEEKDAYS = [(code, name) for code, name in enumerate(vocabulary.WEEKDAY_NAMES)]
MONTHS = [(code, name) for code, name in enumerate(vocabulary.MONTH_NAMES, start=1)]
WEATHERS = list(vocabulary.WEATHER_NAMES.items())
NONE = [("", "—")]


class DayCurveForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, initial=5)
    month = forms.TypedChoiceField(choices=MONTHS, coerce=int, initial=6)
    weather = forms.TypedChoiceField(choices=WEATHERS, coerce=int, initial=2)
    compare_weather = forms.TypedChoiceField(
        choices=NONE + WEATHERS, coerce=int, empty_value=None, required=False, label="compare with weather"
    )
    model = forms.ChoiceField(choices=(), required=False)
    compare_model = forms.ChoiceField(choices=(), required=False, label="compare with model")
    user = forms.CharField(required=False, label="user (staff)")

    def __init__(self, *args: Any, model_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = NONE + [(name, name) for name in model_names]
        self.fields["compare_model"].choices = NONE + [(name, name) for name in model_names]


def _day_series(choice: dict[str, Any]) -> tuple[str, dict[str, list[int]]]:
    weekday, month = choice["weekday"], choice["month"]
    weathers = [choice["weather"]] + ([choice["compare_weather"]] if choice.get("compare_weather") else [])
    models = [choice.get("model") or None] + ([choice["compare_model"]] if choice.get("compare_model") else [])
    series: dict[str, list[int]] = {}
    for weather in dict.fromkeys(weathers):
        for model in dict.fromkeys(models):
            name, values = services.day_curve(weekday, month, weather, model)
            series[f"{vocabulary.WEATHER_NAMES[weather]}, {name}"] = values
    title = f"Predicted rentals on a {vocabulary.WEEKDAY_NAMES[weekday]} in {vocabulary.MONTH_NAMES[month - 1]}"
    return title, series


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        registry = get_registry()
    except ArtifactError as exc:
        return render(request, "predictions/dashboard.html", {"problem": str(exc)}, status=503)
    defaults = {name: field.initial for name, field in DayCurveForm.base_fields.items() if field.initial is not None}
    form = DayCurveForm({**defaults, **request.GET.dict()}, model_names=registry.model_names)
    choice = form.cleaned_data if form.is_valid() else {**defaults, "compare_weather": None}
    title, series = _day_series(choice)

    scores = services.scores_list(services.LogDetails())
    records = selectors.request_log_list(request.user)
    who = "you"
    if request.user.is_staff and choice.get("user"):
        records, who = records.filter(user__username=choice["user"]), choice["user"]
    elif request.user.is_staff:
        who = "everyone"
    daily = selectors.request_log_daily(records)
    context = {
        "form": form,
        "who": who,
        "default_model": registry.default_model,
        "scores_chart": charts.model_comparison_svg(scores["models"], registry.default_model),
        "day_chart": charts.day_curve_svg(series, title),
        "history_chart": charts.history_svg(
            [row["day"] for row in daily], [row["requests"] for row in daily], [row["mean_prediction"] for row in daily]
        )
        if daily
        else "",
        "history_days": len(daily),
    }
    return render(request, "predictions/dashboard.html", context)
