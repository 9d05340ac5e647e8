"""The use case as a kind of wiki document (`wiki.kinds`): an edit of its text or a revert
keeps its structured fields in one with the text, its sign-offs and its detail check are there
for whoever asks the wiki (a timebox's checklist)."""

import logging

from wiki.kinds import KindHandler

from . import selectors, services, structure
from .models import SignOff, UseCase

logger = logging.getLogger("stip.usecases")


class UseCaseHandler(KindHandler):
    def save_markdown(self, *, document, body, base_version_id, author, summary, title):
        return services.usecase_save_markdown_if_structured(
            document=document,
            body=body,
            base_version_id=base_version_id,
            author=author,
            summary=summary,
            title=title,
        )

    def revert(self, *, document, version_id, author, summary):
        return services.usecase_revert_if_structured(
            document=document, version_id=version_id, author=author, summary=summary
        )

    def signoffs(self, document_ids):
        return SignOff.objects.filter(document_id__in=document_ids)

    def detail_warnings(self, document_ids, programme):
        """Use cases among the documents that are too detailed, with the checker's messages."""
        words = selectors.technical_words(programme)
        result = []
        usecases = UseCase.objects.filter(document_id__in=document_ids).select_related("document")
        for usecase in usecases.order_by("document__title"):
            document = usecase.document
            try:
                data = structure.normalise(usecase.data())
                found = structure.detail_warnings(data, words, title=document.title)
            except Exception:  # noqa: BLE001 - the checklist still shows without this warning
                logger.warning("Detail check failed for document %s", document.pk, exc_info=True)
                continue
            if found:
                result.append((document, [w.message for w in found]))
        return result
