from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The pages that bring everything together.

    Owns the home page, a person's dashboard (what asks for them, what changed, their
    programmes), a programme's insight charts and CSV downloads, and the demo loader
    (`load_demo`), which assembles each app's own demo module.

    May import every app: `participation`, `wiki`, `usecases` and `timeboxes`. Nothing imports
    it but `config`.
    """

    name = "workspace"
    verbose_name = _("Workspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from participation.panels import nav_entry_register

        nav_entry_register("wiki.programme.nav", "workspace:insight", _("Insight"), order=50)
