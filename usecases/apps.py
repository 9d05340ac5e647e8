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

    def ready(self) -> None:
        """Make every revision of a document carry its use case fields as well.

        The wiki registers `Document` without knowing about use cases; here the registration is
        widened to follow the document's `usecase`, so a use case's steps and extensions are in
        the very revision of its document (also when the wiki renames or moves it). Documents
        without a use case are unaffected: reversion skips a missing one-to-one.
        """
        import reversion

        from wiki.models import VERSIONED_FIELDS, Document

        if reversion.is_registered(Document):
            reversion.unregister(Document)
        reversion.register(Document, fields=VERSIONED_FIELDS, follow=("usecase",))

        from wiki import display

        from .display import usecase_body

        # The wiki shows a use case document in its structured form, in the reader's language.
        display.register_body(Document.Kind.USE_CASE, usecase_body)

        from wiki import exports as wiki_exports

        from . import exports

        # Exports of documents (a baseline's annex): sign-offs and glossary kept with the set,
        # use cases in their structured form, a sign-off table per document, the glossary.
        wiki_exports.register_record("signoffs", exports.signoffs_record)
        wiki_exports.register_record("glossary", exports.glossary_record)
        wiki_exports.register_document_body(Document.Kind.USE_CASE, exports.usecase_bodies)
        wiki_exports.register_document_sections(exports.signoff_sections)
        wiki_exports.register_appendix(exports.glossary_appendix, order=10)
