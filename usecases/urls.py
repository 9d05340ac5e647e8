from django.urls import path

from . import views

app_name = "usecases"

# A use case lives at uc/<slug>/; pages that are not one use case live elsewhere (usecases/…),
# so no document slug can ever shadow them.

usecase = "<slug:programme>/uc/<slug:slug>/"

urlpatterns = [
    path("<slug:programme>/overview/", views.overview, name="overview"),
    path("<slug:programme>/overview/words/", views.technical_words, name="technical_words"),
    path("<slug:programme>/usecases/new/", views.create, name="create"),
    path("<slug:programme>/usecases/import/", views.import_new, name="import"),
    path("<slug:programme>/usecases/check/", views.check, name="check"),
    path(usecase, views.detail, name="detail"),
    path(f"{usecase}edit/", views.edit, name="edit"),
    path(f"{usecase}diff/", views.diff, name="diff"),
    path(f"{usecase}export/", views.export, name="export"),
    path(f"{usecase}import/", views.import_into, name="import_into"),
    path(f"{usecase}variant/", views.variant, name="variant"),
    path("<slug:programme>/signoffs/<slug:slug>/", views.signoffs, name="signoffs"),
    path("<slug:programme>/actors/", views.actors, name="actors"),
    path("<slug:programme>/actors/<slug:actor>/", views.actor, name="actor"),
    path("<slug:programme>/glossary/", views.glossary, name="glossary"),
    path("<slug:programme>/usecases/glossary.json", views.glossary_json, name="glossary_json"),
    path("<slug:programme>/glossary/<slug:term>/", views.term, name="term"),
]
