from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimeboxesConfig(AppConfig):
    """Timeboxes that hold.

    Owns a phase of a programme with a deadline and a scope of documents: reminders before the
    deadline, the scope freezing at the deadline, the lead's closing with a checklist, and a
    baseline (one reversion revision of every document in scope) that can be browsed, compared
    and exported. Deadlines live in the database and a Celery beat sweeper enforces them.

    May import `wiki` and `participation`, never `usecases` (its sibling: sign-offs and the
    detail check come through `wiki.kinds`) or `workspace`. It registers the freeze as a save
    guard, its kinds of notification, its banner and its link in `ready()`.
    """

    name = "timeboxes"
    verbose_name = _("Timeboxes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The freeze as a save guard of the wiki, the timebox banner and link on the wiki's
        pages, and the kinds of notification a timebox sends."""
        from participation.events import event_kind_register
        from participation.panels import nav_entry_register, panel_register
        from wiki.guards import guard_register

        from . import tasks  # noqa: F401  (registers the Celery tasks, which services name)
        from .services import NOTIFICATION_KINDS, document_freeze_check

        guard_register(document_freeze_check)
        for kind, verb in NOTIFICATION_KINDS.items():
            # The timebox's own notices e-mail these (see services), so here they are site-only.
            event_kind_register(kind, verb, preference="email_timeboxes", emailed=False)
        nav_entry_register("wiki.programme.nav", "timeboxes:list", _("Timeboxes"), order=40)
        for place in ("wiki.document.after_tabs", "wiki.programme.after_description"):
            panel_register(place, "timeboxes/includes/banner.html", order=10)
        self._fragment_sources()

    def _fragment_sources(self) -> None:
        """The banner on the wiki's pages is cached (participation.fragments): timeboxes and
        their scope make it stale."""
        from participation.fragments import fragment_source_register

        from .models import ScopeItem, Timebox

        fragment_source_register(Timebox, lambda timebox: timebox.programme_id)
        fragment_source_register(ScopeItem, _programme_of_scope_item)


def _programme_of_scope_item(item) -> int:
    from .models import Timebox

    return Timebox.objects.filter(pk=item.timebox_id).values_list("programme_id", flat=True)[0]
