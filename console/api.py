"""REST API of the console itself: API tokens (create with a password, list, revoke) and
who the caller is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from console.models import ApiToken
from console.tokens import LoginAddressThrottle, LoginUsernameThrottle

MAX_LIFETIME_DAYS = 3650


class TokenCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    expires_in_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_LIFETIME_DAYS,
        help_text="Lifetime in days; without it the token lasts until it is revoked.",
    )


class TokenOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class TokenCreatedOutputSerializer(TokenOutputSerializer):
    token = serializers.CharField(help_text="The key: shown only now.")

    class Meta(TokenOutputSerializer.Meta):
        fields = ["token", *TokenOutputSerializer.Meta.fields]
        read_only_fields = fields


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField(
        help_text="Staff see (and may use) every user's algorithms, datasets and jobs."
    )


class TooManyAttempts(exceptions.Throttled):
    default_detail = "Too many failed logins: try again later."


@extend_schema(tags=["auth"])
class TokenCreateApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCreateInputSerializer,
        responses={
            200: TokenCreatedOutputSerializer,
            400: OpenApiResponse(description="Wrong username or password, or a bad field."),
            429: OpenApiResponse(description="Too many attempts; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        body = TokenCreateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            # The HttpRequest: django-axes counts failures per address and per username.
            user = authenticate(
                request._request, username=data["username"], password=data["password"]
            )
        except AxesBackendPermissionDenied:
            raise TooManyAttempts(wait=settings.LOGIN_COOLOFF_MINUTES * 60) from None
        if user is None:
            # Every error under /api/ has a ``detail``; ``non_field_errors`` stays for the
            # clients that read the serializer's shape.
            message = "Unable to log in with the username and password given."
            return Response({"detail": message, "non_field_errors": [message]}, status=400)
        days = data.get("expires_in_days")
        token, key = ApiToken.issue(
            user=user, name=data["name"], lifetime=timedelta(days=days) if days else None
        )
        return Response(TokenCreatedOutputSerializer({**_fields(token), "token": key}).data)


@extend_schema(tags=["auth"])
class TokenListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_list", responses={200: TokenOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        tokens = _own_tokens(request)
        return Response(TokenOutputSerializer(tokens, many=True).data)


@extend_schema(tags=["auth"])
class TokenDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        responses={204: None, 404: OpenApiResponse(description="No such token of yours.")},
    )
    def delete(self, request: Request, pk: int) -> Response:
        get_object_or_404(_own_tokens(request), pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class MeApi(APIView):
    """The signed-in user: a client tells its own objects from the ones staff also see."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_me_retrieve", responses={200: MeOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)


def _fields(token: ApiToken) -> dict[str, Any]:
    return {f: getattr(token, f) for f in TokenOutputSerializer.Meta.fields}


def _own_tokens(request: Request) -> Any:
    """The signed-in user's tokens (IsAuthenticated keeps anonymous users out)."""
    return ApiToken.objects.filter(user_id=int(request.user.pk or 0))
