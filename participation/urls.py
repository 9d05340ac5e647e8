from django.urls import path

from . import views

app_name = "participation"

programme = "p/<slug:programme>/"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/confirm/<str:token>/", views.confirm, name="confirm"),
    path("accounts/affiliations/", views.affiliations, name="affiliations"),
    path("accounts/path/", views.path, name="path"),
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("accounts/api-tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path(f"{programme}members/", views.members, name="members"),
    path(
        f"{programme}members/<slug:organisation>/level/",
        views.member_level,
        name="member_level",
    ),
    path(f"{programme}join/", views.join, name="join"),
    path(f"{programme}joining/", views.joining_settings, name="joining_settings"),
    path(f"{programme}login-requirement/", views.login_requirement, name="login_requirement"),
    path(f"{programme}requests/", views.requests, name="requests"),
    path(f"{programme}invite/", views.invite, name="invite"),
    path(f"{programme}invitation-links/", views.invitation_links, name="invitation_links"),
    path(
        f"{programme}invitation-links/<int:pk>/revoke/",
        views.invitation_link_revoke,
        name="invitation_link_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("join/<str:token>/", views.invitation_link, name="invitation_link"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
