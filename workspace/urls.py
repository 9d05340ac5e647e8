"""Routes of the personal dashboard and a programme's insight charts. The home page is the
site's own route, `home` (config.urls)."""

from django.urls import path

from . import dashboard, insight

app_name = "workspace"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("p/<slug:programme>/insight/", insight.insight, name="insight"),
    path("p/<slug:programme>/insight/<slug:chart>.csv", insight.insight_csv, name="insight_csv"),
]
