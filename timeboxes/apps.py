from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimeboxesConfig(AppConfig):
    """Timeboxes that hold.

    A phase of a programme with a deadline and a scope of documents: reminders before the
    deadline, the scope freezing at the deadline, the lead's closing with a checklist, and a
    baseline (one reversion revision of every document in scope) that can be browsed, compared
    and exported. Deadlines live in the database and a Celery beat sweeper enforces them.
    """

    name = "timeboxes"
    verbose_name = _("Timeboxes")
    default_auto_field = "django.db.models.BigAutoField"
