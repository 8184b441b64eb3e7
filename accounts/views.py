from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from predictions.parsers import LimitedFormParser, LimitedJSONParser, LimitedMultiPartParser

from .throttling import AnonymousRateLimit, failed_login_check


class TokenCredentialsSerializer(AuthTokenSerializer):
    # Not trimmed: a username is never padded, and trimming turned "\x1d" into a blank-field 400
    # where the client simply sent credentials that match nobody (401).
    username = serializers.CharField(label="Username", write_only=True, trim_whitespace=False)


ERROR = inline_serializer("AuthError", {"detail": serializers.CharField(), "code": serializers.CharField()})


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST username and password, get the user's token. Rate-limited per IP; 429 after repeated failures."""

    throttle_classes = [AnonymousRateLimit]
    serializer_class = TokenCredentialsSerializer
    parser_classes = [LimitedJSONParser, LimitedFormParser, LimitedMultiPartParser]
    schema = AutoSchema()  # drf-spectacular's, not the one DRF's view sets for itself

    @extend_schema(
        tags=["auth"],
        request=TokenCredentialsSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(ERROR, description="username or password missing."),
            401: OpenApiResponse(ERROR, description="Wrong username or password."),
            429: OpenApiResponse(ERROR, description="Too many attempts from this address; see Retry-After."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        failed_login_check(request)
        credentials = self.get_serializer(data=request.data)
        if not credentials.is_valid():
            if "non_field_errors" in credentials.errors:  # both given, and they do not match a user
                raise exceptions.AuthenticationFailed("Unable to log in with provided credentials.")
            raise exceptions.ValidationError(credentials.errors)
        token, _ = Token.objects.get_or_create(user=credentials.validated_data["user"])
        return Response({"token": token.key})


class CurrentUserView(APIView):
    """Who you are authenticated as. Also the benchmark's framework floor: authentication and DRF, nothing else."""

    @extend_schema(
        tags=["auth"],
        responses={
            200: inline_serializer(
                "CurrentUser", {"user": serializers.CharField(), "is_staff": serializers.BooleanField()}
            ),
            401: OpenApiResponse(ERROR, description="Missing or wrong credentials."),
            429: OpenApiResponse(ERROR, description="Rate limit reached; see Retry-After."),
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "is_staff": request.user.is_staff})
