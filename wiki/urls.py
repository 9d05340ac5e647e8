from django.urls import path

from . import views

app_name = "wiki"

urlpatterns = [
    path("p/<slug:programme>/", views.programme, name="programme"),
    path("p/<slug:programme>/new/", views.create, name="create"),
    path("p/<slug:programme>/d/<slug:slug>/", views.document, name="document"),
]
