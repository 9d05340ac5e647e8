from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Who takes part, and how far.

    Programmes (a collaboration such as Triple A), the organisations that join them at a graded
    level (observer: meekijken, contributor: meedoen), the people of those organisations, the
    programme leads, join requests, watching and notifications. `permissions.py` here is the one
    place that decides what a person may do; the site, the API and the admin all ask it.
    """

    name = "participation"
    verbose_name = _("Participation")
    default_auto_field = "django.db.models.BigAutoField"
