from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    """The versioned wiki of a programme.

    Owns documents (vision, main process, work process, use case, free page) written in
    markdown, each save one django-reversion revision with author, organisation and summary;
    history, diff, revert, three-way merge of concurrent edits and a conflict page that keeps
    the text, discussion, soft delete and restore, redirects after renames, full-text search,
    watching documents, and the programmes' Wagtail portal pages.

    May import `participation` only. Knows nothing of use cases or timeboxes: they take part
    through its extension points, filled in their `ready()`: document-kind handlers
    (`kinds.py`), save guards (`guards.py`), the places of a document a discussion thread
    may be about (`anchors.py`), and the places in its pages listed in
    docs/architecture.md (`participation.panels`).
    """

    name = "wiki"
    verbose_name = _("Wiki")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.models import AbstractPage
        from wagtail.permissions import register_permission_policy

        from participation.fragments import fragment_source_register
        from participation.panels import panel_register

        from . import events
        from .models import Comment, CommentEdit, Document
        from .portal_permissions import PortalPagePolicy

        # Document events, the people who watch a document, and where a notification leads.
        events.register()
        panel_register("participation.members.actions", "wiki/includes/watch_programme.html")
        # The cached parts of document pages show documents (their children) and comments.
        fragment_source_register(Document, lambda document: document.programme_id)
        fragment_source_register(Comment, _comment_programme)
        fragment_source_register(CommentEdit, lambda edit: _comment_programme(edit.comment))

        # Replaces Wagtail's page policy (registered when wagtail.permissions is imported):
        # programme leads edit their programme's portal page, see portal_permissions.
        register_permission_policy(AbstractPage, PortalPagePolicy())


def _comment_programme(comment) -> int:
    from .models import Document

    return Document.objects.filter(pk=comment.document_id).values_list("programme_id", flat=True)[0]
