from pathlib import Path

import pandas as pd
import pytest

from predictions.ml import dataset

LABELLED_HEADER = (
    "dteday,season,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed,casual,registered,cnt"
)
UCI_HEADER = "instant,dteday,season,yr,mnth," + LABELLED_HEADER.replace("dteday,season,", "")


def write_csv(tmp_path: Path, header: str, rows: list[str]) -> Path:
    path = tmp_path / "data.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.fixture
def labelled_sample(tmp_path: Path) -> Path:
    # 2012-06-15 is a Friday; 2011-01-01 a Saturday. Missing weekday and weather on purpose.
    return write_csv(
        tmp_path,
        LABELLED_HEADER,
        [
            "2012-06-15,summer,3pm,No,Fri,Yes,Mist,25,25,50,10,50,250,300",
            "2012-06-15,summer,4pm,No,,Yes,,25,25,50,10,50,260,310",
            "2011-01-01,winter,12am,No,Sat,No,Clear,5,5,80,0,3,13,16",
            "2011-01-01,winter,1am,No,Sat,No,Clear,5,5,80,0,8,32,40",
            "2011-01-01,winter,1am,No,Sat,No,Clear,5,5,80,0,8,32,40",
        ],
    )


def test_labelled_format_is_parsed_cleaned_and_audited(labelled_sample: Path) -> None:
    frame, report = dataset.load(labelled_sample)
    assert report.data_format == "labelled"
    assert list(frame.columns) == list(dataset.CANONICAL_COLUMNS)
    assert report.rows_read == 5
    assert report.rows_kept == 4
    assert report.dropped["duplicate_date_hour"] == 1
    assert report.missing_before_cleaning["weekday"] == 1
    assert report.missing_before_cleaning["weathersit"] == 1
    assert report.filled["weekday"]["missing_filled"] == 1
    friday = frame[frame["dteday"] == pd.Timestamp("2012-06-15")]
    assert friday["weekday"].tolist() == [5, 5]
    assert friday["hr"].tolist() == [15, 16]
    assert friday["mnth"].tolist() == [6, 6]
    assert friday["yr"].tolist() == [1, 1]
    assert report.latest_year == 2012


def test_missing_weather_is_filled_with_the_most_frequent_value(labelled_sample: Path) -> None:
    frame, report = dataset.load(labelled_sample)
    # Known values: Mist once, Clear twice (after dropping the duplicate): Clear (1) wins.
    assert report.filled["weathersit"] == {
        "rule": dataset.WEATHERSIT_FILL_RULE,
        "value": 1,
        "value_name": "Clear",
        "missing_filled": 1,
    }
    filled_row = frame[(frame["dteday"] == pd.Timestamp("2012-06-15")) & (frame["hr"] == 16)]
    assert filled_row["weathersit"].item() == 1


def test_uci_format_is_read_and_wrong_weekdays_corrected_from_the_date(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        UCI_HEADER,
        [
            "1,2011-01-01,1,0,1,0,0,6,0,1,0.24,0.2879,0.81,0.0,3,13,16",
            "2,2011-01-01,1,0,1,1,0,3,0,2,0.22,0.2727,0.8,0.0,8,32,40",
        ],
    )
    frame, report = dataset.load(path)
    assert report.data_format == "uci"
    assert frame["weekday"].tolist() == [6, 6]
    assert report.filled["weekday"]["disagreeing_corrected"] == 1
    assert frame["weathersit"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        (LABELLED_HEADER + "\n", "no rows"),
        ("a,b,c\n1,2,3\n", "Unrecognised data format"),
        ("dteday,hr,cnt\n2011-01-01,1,5\n", "missing"),
    ],
)
def test_unusable_files_give_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(dataset.DatasetError, match=message):
        dataset.load(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(dataset.DatasetError, match="not found"):
        dataset.load(tmp_path / "nope.csv")


def test_unknown_words_name_the_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, LABELLED_HEADER, ["2012-06-15,summer,3pm,No,Fri,Yes,Hail,25,25,50,10,50,250,300"])
    with pytest.raises(dataset.DatasetError, match="weathersit"):
        dataset.load(path)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("1,2011-01-01,1,0,1,0,0,6,0,9,0.24,0.2879,0.81,0.0,3,13,16", "weathersit"),
        ("1,2011-01-01,1,0,1,24,0,6,0,1,0.24,0.2879,0.81,0.0,3,13,16", "hr"),
        ("1,2011-01-01,1,0,1,0,5,6,0,1,0.24,0.2879,0.81,0.0,3,13,16", "holiday"),
        ("1,2011-01-01,1,0,1,0,0,8,0,1,0.24,0.2879,0.81,0.0,3,13,16", "weekday"),
    ],
)
def test_uci_codes_outside_the_vocabulary_are_rejected_naming_the_column(tmp_path: Path, row: str, column: str) -> None:
    with pytest.raises(dataset.DatasetError, match=f"Column '{column}'"):
        dataset.load(write_csv(tmp_path, UCI_HEADER, [row]))


def test_labelled_flags_other_than_yes_no_are_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, LABELLED_HEADER, ["2012-06-15,summer,3pm,Maybe,Fri,Yes,Mist,25,25,50,10,50,250,300"])
    with pytest.raises(dataset.DatasetError, match="Column 'holiday'"):
        dataset.load(path)


def test_a_file_without_any_weather_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, LABELLED_HEADER, ["2012-06-15,summer,3pm,No,Fri,Yes,,25,25,50,10,50,250,300"])
    with pytest.raises(dataset.DatasetError, match="weathersit' has no values"):
        dataset.load(path)


def test_non_numeric_uci_values_are_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, UCI_HEADER, ["1,2011-01-01,1,0,1,0,0,6,0,1,0.24,0.2879,0.81,0.0,3,13,x"])
    with pytest.raises(dataset.DatasetError, match="Column 'cnt' has non-numeric"):
        dataset.load(path)


def test_years_outside_the_uci_coding_are_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, LABELLED_HEADER, ["2019-06-14,summer,3pm,No,Fri,Yes,Mist,25,25,50,10,50,250,300"])
    with pytest.raises(dataset.DatasetError, match="2011, 2012"):
        dataset.load(path)


def test_rows_without_date_or_count_are_dropped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        LABELLED_HEADER,
        [
            "2012-06-15,summer,3pm,No,Fri,Yes,Mist,25,25,50,10,50,250,300",
            "not-a-date,summer,3pm,No,Fri,Yes,Mist,25,25,50,10,50,250,300",
            "2012-06-15,summer,5pm,No,Fri,Yes,Mist,25,25,50,10,50,250,",
        ],
    )
    frame, report = dataset.load(path)
    assert len(frame) == 1
    assert report.dropped["missing_date_hour_or_count"] == 2


def test_default_data_set_audit(clean_frame: tuple[pd.DataFrame, dataset.CleaningReport]) -> None:
    frame, report = clean_frame
    assert report.data_format == "labelled"
    assert report.rows_read == report.rows_kept == len(frame) == 17379
    assert report.filled["weekday"]["missing_filled"] == 875
    assert report.filled["weathersit"]["missing_filled"] == 1258
    assert report.filled["weathersit"]["value_name"] == "Clear"
    assert not frame[list(dataset.FEATURES)].isna().any().any()


def test_both_formats_give_the_same_canonical_frame(
    clean_frame: tuple[pd.DataFrame, dataset.CleaningReport], uci_csv: Path
) -> None:
    labelled, _ = clean_frame
    uci, report = dataset.load(uci_csv)
    assert report.data_format == "uci"
    # Identical on every feature and count: in particular the 1,258 filled weather values all agree
    # with the published UCI codes, which is why the most-frequent rule was chosen.
    pd.testing.assert_frame_equal(labelled, uci)
