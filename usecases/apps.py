from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsecasesConfig(AppConfig):
    """Use cases at the right height.

    Owns structured (Cockburn) use cases on top of wiki documents: actors, steps, extensions,
    organisation variants, sign-off pinned to a version, the detail check that keeps designs at
    business level, traceability from vision to use case, and the programme's shared glossary.

    May import `wiki` and `participation`, never `timeboxes` (its sibling) or `workspace`. It
    registers the use case's kind handler, its links, panels, glossary marking and editor data
    with the wiki's extension points in `ready()`.
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
        self._take_part_in_the_wiki()

    def _take_part_in_the_wiki(self) -> None:
        """The use case as a kind of document (its text and fields kept in one, its sign-offs
        and detail check), and the use cases' parts of the wiki's pages."""
        from participation.fragments import fragment_source_register
        from participation.panels import (
            data_attribute_register,
            html_filter_register,
            nav_entry_register,
            panel_register,
        )
        from wiki.kinds import kind_register
        from wiki.models import Document

        from .glossary import glossary_marked
        from .handlers import UseCaseHandler
        from .models import Actor, DetailSettings, LocalWord, SignOff, Term, UseCase

        kind_register(Document.Kind.USE_CASE, UseCaseHandler())
        nav = "wiki.programme.nav"
        nav_entry_register(nav, "usecases:overview", _("Use cases"), order=10)
        nav_entry_register(nav, "usecases:glossary", _("Glossary"), order=20)
        nav_entry_register(nav, "usecases:actors", _("Actors"), order=30)
        panel_register(
            "wiki.document.after_tabs", "usecases/includes/wiki_document_link.html", order=20
        )
        html_filter_register("wiki.document.prose", glossary_marked)
        panel_register("wiki.document.children", "usecases/includes/wiki_document_children.html")
        panel_register("wiki.document.after_children", "usecases/includes/wiki_document_below.html")
        panel_register("wiki.document.add_below", "usecases/includes/wiki_add_below.html")
        data_attribute_register("wiki.editor", "glossary-url", "usecases:glossary_json")
        # What the cached parts of the wiki's document pages show of the use cases: the tree
        # below a process, the sign-offs, the glossary marks in the text.
        for model in (UseCase, SignOff):
            fragment_source_register(model, _programme_of_document)
        for model in (Actor, Term, DetailSettings):
            fragment_source_register(model, lambda row: row.programme_id)
        fragment_source_register(LocalWord, lambda word: word.term.programme_id)

        from wiki import display

        from . import structure
        from .display import usecase_body, usecase_diff_page

        # The wiki shows a use case document in its structured form, in the reader's language.
        display.register_body(Document.Kind.USE_CASE, usecase_body)
        # and compares its versions field by field, with the labels in the reader's language.
        display.register_diff_page(Document.Kind.USE_CASE, usecase_diff_page)
        display.register_reading_text(Document.Kind.USE_CASE, structure.reading_text)

        from wiki import anchors

        from .display import usecase_anchors

        # A discussion thread may be about a step of a use case; the wiki shows it there.
        anchors.register(Document.Kind.USE_CASE, usecase_anchors)

        from wiki import exports as wiki_exports

        from . import exports

        # Exports of documents (a baseline's annex): sign-offs and glossary kept with the set,
        # use cases in their structured form, a sign-off table per document, the glossary.
        wiki_exports.register_record("signoffs", exports.signoffs_record)
        wiki_exports.register_record("glossary", exports.glossary_record)
        wiki_exports.register_document_body(Document.Kind.USE_CASE, exports.usecase_bodies)
        wiki_exports.register_document_sections(exports.signoff_sections)
        wiki_exports.register_appendix(exports.glossary_appendix, order=10)


def _programme_of_document(row) -> int:
    from wiki.models import Document

    return Document.objects.filter(pk=row.document_id).values_list("programme_id", flat=True)[0]
