from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("status", views.StatusViewSet, basename="status")
router.register("predict", views.PredictViewSet, basename="predict")
router.register("scores", views.ScoresViewSet, basename="scores")
router.register("models", views.ModelsViewSet, basename="models")
router.register("predictions", views.PredictionHistoryViewSet, basename="predictions")

urlpatterns = router.urls
