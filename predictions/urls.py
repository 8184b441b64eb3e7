from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter

from . import views


class ApiRoot(DefaultRouter.APIRootView):
    """The API's endpoints, and the dashboard for people."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response.data["dashboard"] = reverse("dashboard", request=request)
        return response


router = DefaultRouter()
router.APIRootView = ApiRoot
# Registration order is matching order (and the API root's listing order): the hottest path first.
router.register("predict", views.PredictViewSet, basename="predict")
router.register("status", views.StatusViewSet, basename="status")
router.register("scores", views.ScoresViewSet, basename="scores")
router.register("models", views.ModelsViewSet, basename="models")
router.register("predictions", views.PredictionHistoryViewSet, basename="predictions")

urlpatterns = router.urls
