"""Request ids are version-7 UUIDs: unique, stamped with the time of the request, ordered by it."""

import time
import uuid

from rest_framework.test import APIClient

from predictions.ids import uuid7
from predictions.models import RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY


def uuid7_milliseconds(value: uuid.UUID) -> int:
    """The Unix time in milliseconds that a version-7 UUID starts with (its first 48 bits)."""
    return value.int >> 80


def test_a_uuid7_has_version_7_the_rfc_variant_and_the_current_time() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= uuid7_milliseconds(value) <= after
    assert uuid.UUID(str(value)) == value  # a well-formed UUID, as stored and sent


def test_uuid7s_are_unique_and_sort_by_the_millisecond_they_were_made_in() -> None:
    made = []
    for _ in range(5):
        made.extend(uuid7() for _ in range(2_000))
        time.sleep(0.002)
    assert len(set(made)) == len(made)
    stamps = [uuid7_milliseconds(value) for value in made]
    assert stamps == sorted(stamps)
    # Across milliseconds the ids themselves (and their text) sort in time order: index appends.
    first_of_each = dict(reversed(list(zip(stamps, made, strict=True))))  # the first id of each millisecond
    ordered = [first_of_each[stamp] for stamp in sorted(first_of_each)]
    assert ordered == sorted(ordered, key=lambda value: value.int) == sorted(ordered, key=str)
    assert len(ordered) >= 5


def test_uuid7s_keep_their_random_bits() -> None:
    made = [uuid7() for _ in range(2_000)]
    assert len({value.int & ((1 << 62) - 1) for value in made}) == 2_000  # 62 random bits: never equal here
    assert len({(value.int >> 64) & 0xFFF for value in made}) > 1_000  # 12 random bits: ~1,600 of 4,096 values


def test_a_prediction_is_logged_under_a_uuid7_request_id(alice_client: APIClient) -> None:
    before = time.time_ns() // 1_000_000
    body = alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").json()
    request_id = uuid.UUID(body["request_id"])
    assert request_id.version == 7
    assert before <= uuid7_milliseconds(request_id) <= time.time_ns() // 1_000_000
    assert RequestLog.objects.filter(pk=request_id).exists()


def test_a_log_row_made_without_an_id_gets_a_uuid7(db: None) -> None:
    row = RequestLog.objects.create(endpoint="predict", status_code=200, latency_ms=0.1)
    assert row.pk.version == 7
