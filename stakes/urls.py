"""Routes under /p/: a programme's costs and benefits and its decisions."""

from django.urls import path

from . import views

app_name = "stakes"

decision = "<slug:programme>/decisions/<int:number>/"

urlpatterns = [
    path("<slug:programme>/stakes/", views.balance, name="balance"),
    path("<slug:programme>/stakes/balance.csv", views.balance_csv, name="balance_csv"),
    path("<slug:programme>/stakes/d/<slug:slug>/", views.document_stakes, name="document"),
    path("<slug:programme>/stakes/<int:pk>/remove/", views.stake_remove, name="remove"),
    path("<slug:programme>/stakes/<int:pk>/history/", views.stake_history, name="history"),
    path("<slug:programme>/decisions/", views.decisions, name="decisions"),
    path("<slug:programme>/decisions/export.csv", views.decisions_csv, name="decisions_csv"),
    path("<slug:programme>/decisions/new/", views.proposal_create, name="create"),
    path("<slug:programme>/decisions/escalated/", views.escalated, name="escalated"),
    path(decision, views.proposal_detail, name="proposal"),
    path(f"{decision}answer/", views.proposal_answer, name="answer"),
    path(f"{decision}decide/", views.proposal_decide, name="decide"),
    path(f"{decision}comment/", views.proposal_comment, name="comment"),
    path(f"{decision}escalate/<int:answer>/", views.objection_escalate, name="escalate"),
]
