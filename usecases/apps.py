from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsecasesConfig(AppConfig):
    """Use cases at the right height.

    Structured (Cockburn) use cases on top of wiki documents: actors, steps, extensions,
    organisation variants, sign-off pinned to a version, the detail check that keeps designs at
    business level, traceability from vision to use case, and the programme's shared glossary.
    """

    name = "usecases"
    verbose_name = _("Use cases")
    default_auto_field = "django.db.models.BigAutoField"
