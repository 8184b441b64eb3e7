"""The content negotiation's fast path chooses the parser DRF's own negotiation chooses."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from predictions.parsers import ContentNegotiation

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    "application/*",
    "",
    "a" * 300,
]


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_parser_chosen_is_drfs_choice(content_type: str) -> None:
    parsers = [parser() for parser in api_settings.DEFAULT_PARSER_CLASSES]
    request = Request(APIRequestFactory().generic("POST", "/api/predict/", b"{}", content_type), parsers=parsers)
    chosen = ContentNegotiation().select_parser(request, parsers)
    assert chosen is DefaultContentNegotiation().select_parser(request, parsers)


def test_the_api_uses_it() -> None:
    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is ContentNegotiation
