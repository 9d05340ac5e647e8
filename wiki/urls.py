from django.urls import path

from . import live_views, views

app_name = "wiki"

document = "p/<slug:programme>/d/<slug:slug>/"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("diagrams/frame/", views.diagram_frame, name="diagram_frame"),
    path("p/<slug:programme>/", views.programme, name="programme"),
    path("p/<slug:programme>/new/", views.create, name="create"),
    path("p/<slug:programme>/new/files/", views.attach_staged, name="attach_staged"),
    path(
        "p/<slug:programme>/new/files/<int:attachment_id>/<str:name>",
        views.staged_attachment,
        name="staged_attachment",
    ),
    path("p/<slug:programme>/preview/", views.preview, name="preview"),
    path("p/<slug:programme>/titles/", views.titles, name="titles"),
    path("p/<slug:programme>/trash/", views.trash, name="trash"),
    path("p/<slug:programme>/templates/", views.document_templates, name="templates"),
    path("p/<slug:programme>/templates/<slug:kind>/", views.document_template, name="template"),
    path("p/<slug:programme>/trash/<int:document_id>/restore/", views.restore, name="restore"),
    path(document, views.document, name="document"),
    path(f"{document}edit/", views.edit, name="edit"),
    path(f"{document}history/", views.history, name="history"),
    path(f"{document}v/<int:version_id>/", views.version, name="version"),
    path(f"{document}diff/", views.diff, name="diff"),
    path(f"{document}revert/<int:version_id>/", views.revert, name="revert"),
    path(f"{document}rename/", views.rename, name="rename"),
    path(f"{document}move/", views.move, name="move"),
    path(f"{document}delete/", views.delete, name="delete"),
    path(f"{document}comments/", views.comment, name="comment"),
    path(f"{document}files/", views.attach, name="attach"),
    path(f"{document}files/remove/", views.detach, name="detach"),
    path(
        f"{document}files/<int:attachment_id>/<str:name>",
        views.attachment,
        name="attachment",
    ),
    path("p/<slug:programme>/live/", live_views.programme_editing, name="live_programme"),
    path("p/<slug:programme>/live/<int:document_id>/", live_views.beat, name="live_beat"),
    path("p/<slug:programme>/live/<int:document_id>/leave/", live_views.leave, name="live_leave"),
    path("p/<slug:programme>/live/<int:document_id>/merge/", live_views.merge, name="live_merge"),
    path("p/<slug:programme>/watch/", views.watch, name="watch_programme"),
    path("p/<slug:programme>/watch/<slug:slug>/", views.watch, name="watch"),
]
