from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakesConfig(AppConfig):
    """Who pays, who gains, who decided.

    Owns the costs and benefits each member organisation records on a programme's processes and
    use cases (versioned, pinned to the document's version), their balance per organisation
    with the documents where one pays and others gain, and the decision log: proposals answered
    by consent per organisation before a deadline, with reminders and escalation.

    Stands above `usecases` and `timeboxes` and below `workspace`. It takes part in the lower
    apps only through their extension points, filled in `ready()`: its actions in the permission
    module, its kinds of event and the proposal as an event target, its links and panels in the
    wiki's and the timeboxes' pages, and the decisions behind a baseline in its annex.
    """

    name = "stakes"
    verbose_name = _("Costs, benefits and decisions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from participation import permissions
        from participation.events import event_kind_register, event_target_register
        from participation.panels import nav_entry_register, panel_register
        from wiki import exports as wiki_exports

        from . import exports, tasks  # noqa: F401  (registers the Celery task)
        from .actions import ACTIONS
        from .models import Proposal
        from .selectors import proposal_audience
        from .services import NOTIFICATION_KINDS

        for action, (level, denied) in ACTIONS.items():
            permissions.action_register(action, level=level, denied=denied)
        for kind, verb in NOTIFICATION_KINDS.items():
            event_kind_register(kind, verb, preference="email_timeboxes")
        event_target_register(Proposal, audience=proposal_audience)
        nav = "wiki.programme.nav"
        nav_entry_register(nav, "stakes:balance", _("Who pays, who gains"), order=45)
        nav_entry_register(nav, "stakes:decisions", _("Decisions"), order=46)
        panel_register("wiki.document.after_children", "stakes/includes/document_panel.html")
        panel_register("timeboxes.close.checklist", "stakes/includes/checklist.html")
        panel_register("timeboxes.timebox.after_scope", "stakes/includes/timebox_links.html")
        wiki_exports.register_record("decisions", exports.decisions_record)
        wiki_exports.register_appendix(exports.decisions_appendix, order=20)
