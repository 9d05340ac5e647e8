from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Who takes part, and how far: the bottom layer.

    Owns programmes (a collaboration such as Triple A), the organisations that join them at a
    graded level (observer: meekijken, contributor: meedoen), the people of those organisations,
    the programme leads, join requests and invitations, and the generic engine of events and
    notifications (an outbox, e-mail, digests, unsubscribe). `permissions.py` here is the one
    place that decides what a person may do; the site, the API and the admin all ask it.

    Imports no other app. The apps above take part through its extension points, filled in
    their `ready()`: the kinds of event and the objects events are about (`events.py`), and
    places in pages where they add a panel, a link or a data source (`panels.py`).
    """

    name = "participation"
    verbose_name = _("Participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events, tasks  # noqa: F401  (tasks: registers the Celery tasks by name)

        events.register_membership_kinds()
        self._fragment_sources()

    def _fragment_sources(self) -> None:
        """What of participation the cached parts of pages show: memberships (in a programme),
        people's names and organisations' names (in every programme)."""
        from django.contrib.auth import get_user_model

        from .fragments import fragment_source_register
        from .models import Membership, Organisation

        fragment_source_register(Membership, lambda membership: membership.programme_id)
        fragment_source_register(get_user_model(), lambda user: None)
        fragment_source_register(Organisation, lambda organisation: None)
