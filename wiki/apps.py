from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    """The versioned wiki of a programme.

    Documents (vision, main process, work process, use case, free page) written in markdown,
    each save one django-reversion revision with author, organisation and summary; history,
    diff, revert, three-way merge of concurrent edits and a conflict page that keeps the text,
    discussion, soft delete and restore, redirects after renames, and full-text search.
    """

    name = "wiki"
    verbose_name = _("Wiki")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.models import AbstractPage
        from wagtail.permissions import register_permission_policy

        from .portal_permissions import PortalPagePolicy

        # Replaces Wagtail's page policy (registered when wagtail.permissions is imported):
        # programme leads edit their programme's portal page, see portal_permissions.
        register_permission_policy(AbstractPage, PortalPagePolicy())
