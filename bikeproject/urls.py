from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import CurrentUserView, ThrottledObtainAuthToken
from predictions.dashboard import dashboard

urlpatterns = [
    path("", RedirectView.as_view(url="/api/", permanent=False)),
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard, name="dashboard"),
    path("api/me/", CurrentUserView.as_view(), name="current-user"),
    # Predictions right after api/me/: a URL is matched by trying each pattern in turn, and predict is
    # the hottest path (the docs, schema and auth pages below are rarely asked for).
    path("api/", include("predictions.urls")),
    path("api/auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("api/auth/", include("rest_framework.urls")),  # session login/logout for the browsable API
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
