"""Routes under /p/: a programme's timeboxes and baselines (wiki owns /p/<programme>/d/…)."""

from django.urls import path

from . import views

app_name = "timeboxes"

urlpatterns = [
    path("<slug:programme>/timeboxes/", views.timebox_list, name="list"),
    path("<slug:programme>/timeboxes/new/", views.timebox_create, name="create"),
    path("<slug:programme>/timeboxes/<int:pk>/", views.timebox_detail, name="detail"),
    path("<slug:programme>/timeboxes/<int:pk>/extend/", views.timebox_extend, name="extend"),
    path("<slug:programme>/timeboxes/<int:pk>/reopen/", views.timebox_reopen, name="reopen"),
    path("<slug:programme>/timeboxes/<int:pk>/close/", views.timebox_close, name="close"),
    path("<slug:programme>/baselines/<int:pk>/", views.baseline_detail, name="baseline"),
    path(
        "<slug:programme>/baselines/<int:pk>/d/<slug:slug>/",
        views.baseline_document,
        name="baseline_document",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/compare/",
        views.baseline_compare,
        name="baseline_compare",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/export.html",
        views.baseline_export_html,
        name="baseline_export_html",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/exports/<str:fmt>/",
        views.baseline_export_request,
        name="baseline_export_request",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/exports/<str:fmt>/status.json",
        views.baseline_export_status,
        name="baseline_export_status",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/exports/<str:fmt>/download/",
        views.baseline_export_download,
        name="baseline_export_download",
    ),
    path(
        "<slug:programme>/baselines/<int:pk>/export.zip",
        views.baseline_export_zip,
        name="baseline_export_zip",
    ),
]
