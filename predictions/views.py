"""Thin viewsets: validate -> one service or selector call -> serialize. Logging lives in one mixin."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, serializers, services
from .constants import BATCH_MAX_ITEMS, MAX_PAGE_SIZE, PAGE_SIZE
from .filters import RequestLogFilter
from .ids import uuid7
from .models import Endpoint, JSONText
from .parsers import parsed_json_text

REQUEST_LOG_UNAVAILABLE = "The request could not be recorded, so it was not served; try again shortly."
ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="Invalid input: the message names the field."),
    401: OpenApiResponse(serializers.ErrorSerializer, description="Missing or wrong credentials."),
    413: OpenApiResponse(serializers.ErrorSerializer, description="Request body over API_MAX_BODY_BYTES."),
    415: OpenApiResponse(serializers.ErrorSerializer, description="Body is neither JSON nor a form."),
    429: OpenApiResponse(serializers.ErrorSerializer, description="Rate limit reached; see Retry-After."),
    503: OpenApiResponse(serializers.ErrorSerializer, description="Models or database unavailable."),
}


class RequestLogMixin:
    """Writes one RequestLog row per call of the actions in ``logged_actions``, whatever the outcome.

    The row is written before the response leaves; if it cannot be written the client gets a 503
    instead, so no prediction is ever returned without its log row.
    """

    logged_actions: dict[str, Endpoint] = {}
    action: str | None

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        self.started_at = time.perf_counter()
        self.request_id = uuid7()  # time-ordered: the log's primary key appends (predictions/ids.py)
        self.log_details = services.LogDetails()
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        endpoint = self.logged_actions.get(self.action or "")
        if endpoint is not None and isinstance(response, Response):
            response = self._with_log_row(request, response, endpoint, args, kwargs)
        return response

    def _with_log_row(
        self, request: Request, response: Response, endpoint: Endpoint, args: Any, kwargs: Any
    ) -> Response:
        user = getattr(request, "_user", None)  # never re-run authentication here
        try:
            services.request_log_create(
                request_id=self.request_id,
                user_id=user.pk if user is not None and user.is_authenticated else None,
                endpoint=endpoint,
                status_code=response.status_code,
                inputs=_request_inputs(request, kwargs),
                output=_response_output(response),
                latency_ms=(time.perf_counter() - self.started_at) * 1000,
                details=self.log_details,
            )
        except DatabaseError:
            body = {
                "detail": REQUEST_LOG_UNAVAILABLE,
                "code": "request_log_unavailable",
                "request_id": str(self.request_id),
            }
            refused = super().finalize_response(  # type: ignore[misc]
                request, Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE), *args, **kwargs
            )
            if response.has_header("Vary"):  # DRF hands its Vary header out once per request
                refused["Vary"] = response["Vary"]
            return refused  # type: ignore[no-any-return]
        return response


def _request_inputs(request: Request, kwargs: dict[str, Any]) -> Any:
    """What the client sent: the JSON body as sent, an HTML form's fields, or path and query values."""
    if request.method == "GET":
        return {**request.query_params.dict(), **kwargs}
    try:
        data = request.data  # after a parse error DRF leaves an empty QueryDict here
    except (APIException, RequestDataTooBig):  # unreadable or refused: its error is the answer
        return {}
    if isinstance(data, QueryDict):  # an HTML form: keep its fields, not its CSRF token
        return {key: value for key, value in data.dict().items() if key not in serializers.FORM_TRANSPORT_FIELDS}
    if data is None:  # a JSON null body: the column holds JSON, never SQL NULL
        return {}
    text = parsed_json_text(request)
    return data if text is None else JSONText(text)


def _response_output(response: Response) -> Any:
    """The body sent: the JSON text itself when it is JSON (rendered once, for the client and the log)."""
    if isinstance(response.accepted_renderer, JSONRenderer):
        content = response.render().content
        return JSONText(content.decode()) if content else None
    return response.data  # the browsable API's HTML page: its data


@extend_schema(tags=["status"])
class StatusViewSet(viewsets.ViewSet):
    """Readiness of this instance: models loaded and verified, database answering. No authentication."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []  # probes call it every few seconds from every node

    @extend_schema(responses={200: serializers.StatusSerializer, 503: serializers.StatusSerializer})
    def list(self, request: Request) -> Response:
        ready, body = services.service_status()
        return Response(body, status=status.HTTP_200_OK if ready else status.HTTP_503_SERVICE_UNAVAILABLE)


@extend_schema(tags=["predict"])
class PredictViewSet(RequestLogMixin, viewsets.ViewSet):
    """Predicted rentals for an hour of a day: `hour`, `weekday`, `month`, `weather` (names or codes)."""

    logged_actions = {"create": Endpoint.PREDICT, "batch": Endpoint.PREDICT_BATCH}
    serializer_class = serializers.PredictInputSerializer

    def _served(self, request: Request, result: services.PredictionResult) -> dict[str, Any]:
        return {
            "request_id": str(self.request_id),  # text already: the renderer need not call back for a UUID
            "user": request.user.get_username(),
            "model": result.model,
            "artifact_version": result.artifact_version,
        }

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # The browsable API's HTML form.
        serializer_class = serializers.PredictBatchInputSerializer if self.action == "batch" else self.serializer_class
        return serializer_class(*args, **kwargs)

    @extend_schema(
        request=serializers.PredictInputSerializer, responses={200: serializers.PredictOutputSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        data = serializers.PredictInputSerializer.validated(request.data)
        result = services.prediction_create(data, data.pop("model", None), self.log_details)
        body = {
            **self._served(request, result),
            "prediction": result.predictions[0],
            "inputs": result.queries[0].describe(),
        }
        return Response(body)  # already in PredictOutputSerializer's shape (the schema); no second pass

    @extend_schema(
        request=serializers.PredictBatchInputSerializer,
        responses={200: serializers.PredictBatchOutputSerializer, **ERRORS},
        description=f"Up to {BATCH_MAX_ITEMS} inputs; one prediction per item, in order.",
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        inputs = serializers.PredictBatchInputSerializer.validated(request.data)
        result = services.prediction_batch_create(inputs["items"], inputs.get("model"), self.log_details)
        body = {
            **self._served(request, result),
            "count": len(result.predictions),
            "predictions": result.predictions,
            "inputs": [query.describe() for query in result.queries],
        }
        return Response(body)  # already in PredictBatchOutputSerializer's shape (the schema)


@extend_schema(tags=["models"])
class ScoresViewSet(RequestLogMixin, viewsets.ViewSet):
    """Every model's scores on both holdouts; `r2`, `mae`, `rmse` are the shuffled 80/20 split."""

    logged_actions = {"list": Endpoint.SCORES, "retrieve": Endpoint.SCORES}
    lookup_field = "model"
    lookup_value_regex = "[^/]+"

    @extend_schema(responses={200: serializers.ScoreListSerializer, 401: ERRORS[401], 503: ERRORS[503]})
    def list(self, request: Request) -> Response:
        body = {"user": request.user.get_username(), **services.scores_list(self.log_details)}
        return Response(serializers.ScoreListSerializer(body).data)

    @extend_schema(
        parameters=[OpenApiParameter("model", str, OpenApiParameter.PATH, description="Model name, case-insensitive.")],
        responses={
            200: serializers.ScoreSerializer,
            401: ERRORS[401],
            404: OpenApiResponse(serializers.ErrorSerializer, description="Unknown model; lists the known names."),
            503: ERRORS[503],
        },
    )
    def retrieve(self, request: Request, model: str) -> Response:
        body = {"user": request.user.get_username(), **services.scores_get(model, self.log_details)}
        return Response(serializers.ScoreSerializer(body).data)


@extend_schema(tags=["models"])
class ModelsViewSet(viewsets.ViewSet):
    """The artifact version served: when and on what data it was trained, and the default model."""

    @extend_schema(responses={200: serializers.ModelsInfoSerializer, 401: ERRORS[401], 503: ERRORS[503]})
    def list(self, request: Request) -> Response:
        return Response(serializers.ModelsInfoSerializer(services.models_info()).data)


class RequestLogPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "page: {page_number!r} is not a page of these results ({message}); pages start at 1."

    last_page_strings = ()  # page is a whole number, as documented

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        # DRF turns an empty ?page= into page 1; here it is an invalid page like any other.
        return request.query_params.get(self.page_query_param, 1)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def get_page_size(self, request: Request) -> int:
        """page_size up to MAX_PAGE_SIZE (larger values are capped); anything but a positive whole number is 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return PAGE_SIZE
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}; got {raw!r}."]})
        return min(int(raw), self.max_page_size)


@extend_schema_view(
    list=extend_schema(
        description=f"Newest first, {PAGE_SIZE} a page (page_size up to {MAX_PAGE_SIZE}; larger values are capped).",
        responses={
            200: serializers.RequestLogSerializer(many=True),
            400: OpenApiResponse(serializers.ErrorSerializer, description="A bad filter or page_size, named."),
            401: ERRORS[401],
            404: OpenApiResponse(serializers.ErrorSerializer, description="No such page."),
            429: ERRORS[429],
            503: ERRORS[503],
        },
    ),
    retrieve=extend_schema(
        responses={
            200: serializers.RequestLogSerializer,
            401: ERRORS[401],
            404: OpenApiResponse(serializers.ErrorSerializer, description="No such record, or not yours."),
            429: ERRORS[429],
            503: ERRORS[503],
        },
    ),
)
@extend_schema(tags=["history"])
class PredictionHistoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The request log: your own records (staff: everyone's), read-only."""

    serializer_class = serializers.RequestLogSerializer
    pagination_class = RequestLogPagination
    filterset_class = RequestLogFilter

    def get_queryset(self) -> Any:
        return selectors.request_log_list(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_repeated_query_parameters(request.query_params)
        return super().list(request, *args, **kwargs)


def reject_repeated_query_parameters(query: QueryDict) -> None:
    """?status=200&status=abc is one mistake, not "the last one wins": every parameter takes one value."""
    repeated = {name: [f"Give one value; got {len(values)}."] for name, values in query.lists() if len(values) > 1}
    if repeated:
        raise ValidationError(repeated)
