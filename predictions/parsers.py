"""Request bodies with limits: a size cap (413) and no crash on pathological JSON nesting (400).

DRF's parsers read the raw stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to them.
Also the content negotiation, whose parser choice has a fast path for the API's everyday body.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, DataAndFiles, FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.utils.json import strict_constant


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


def read_limited(stream: Any) -> bytes:
    """The whole body, or RequestTooLarge: reads one byte past the limit, never more."""
    limit = settings.API_MAX_BODY_BYTES
    raw: bytes = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise RequestTooLarge(f"Request body too large: at most {limit} bytes are accepted.")
    return raw


def request_encoding(parser_context: dict[str, Any] | None) -> str:
    """The charset a body is decoded with: the request's own, or DEFAULT_CHARSET."""
    return str((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)


# One decoder for every body (json.loads builds one per call), strict as DRF's: NaN and Infinity
# are not JSON and are refused.
_JSON_DECODER = json.JSONDecoder(parse_constant=strict_constant)


# Where LimitedJSONParser leaves the text it parsed, in the request's parser context.
_JSON_TEXT = "json_text"


class LimitedJSONParser(BaseParser):
    """JSON bodies up to API_MAX_BODY_BYTES, read straight from the request stream.

    Not a JSONParser subclass on purpose: DRF copies a JSONParser's body through Django's
    request.body first (a second read, a second size check). This parser reads the stream once and
    keeps the text it parsed, which the request log stores as sent (``parsed_json_text``).
    """

    media_type = "application/json"
    renderer_class = JSONRenderer  # the browsable API renders its raw-data form with it

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        raw = read_limited(stream)
        try:
            text = raw.decode(request_encoding(parser_context))
            data = _JSON_DECODER.decode(text)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if parser_context is not None:
            parser_context[_JSON_TEXT] = text
        # With its files (none): DRF asks for ``.data`` and ``.files`` first, and for a bare value
        # raises and catches an AttributeError on every request.
        return DataAndFiles(data, MultiValueDict())


def parsed_json_text(request: Request) -> str | None:
    """The JSON text the request's data was parsed from; None for forms and empty or unread bodies."""
    text: str | None = request.parser_context.get(_JSON_TEXT)
    return text


class LimitedFormParser(FormParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None
    ) -> QueryDict:
        return QueryDict(read_limited(stream), encoding=request_encoding(parser_context))


class LimitedMultiPartParser(MultiPartParser):
    """The browsable API's HTML forms post multipart; refused by Content-Length before any parsing."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        limit = settings.API_MAX_BODY_BYTES
        if length and length.isdigit() and int(length) > limit:
            raise RequestTooLarge(f"Request body too large: at most {limit} bytes are accepted.")
        return super().parse(stream, media_type, parser_context)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation; a body typed exactly as the first parser's media type skips header parsing.

    DRF returns the first parser whose media type matches, so when the first one is an exact match
    the answer is the same: it is the parser for nearly every request (application/json).
    """

    def select_parser(self, request: Request, parsers: list[BaseParser]) -> BaseParser | None:
        if parsers and parsers[0].media_type == request.content_type:
            return parsers[0]
        parser: BaseParser | None = super().select_parser(request, parsers)
        return parser
