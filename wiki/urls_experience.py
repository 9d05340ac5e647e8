"""Routes of the personal dashboard and a programme's insight charts."""

from django.urls import path

from . import dashboard, insight

app_name = "experience"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("p/<slug:programme>/insight/", insight.insight, name="insight"),
    path("p/<slug:programme>/insight/<slug:chart>.csv", insight.insight_csv, name="insight_csv"),
]
