"""Stakes' own actions, registered with `participation.permissions` in `StakesConfig.ready`:
the level each needs and what a refusal says. Services, views, the API and the admin ask
`permissions.can`/`check` with these names."""

from django.utils.translation import gettext_lazy

from participation.models import Level

RECORD_STAKES = "record_stakes"
PROPOSE = "propose_decision"
ANSWER = "answer_proposal"
DECIDE = "decide_proposal"

ACTIONS = {
    RECORD_STAKES: (
        Level.CONTRIBUTOR,
        gettext_lazy("Only contributing organisations record costs and benefits."),
    ),
    PROPOSE: (Level.CONTRIBUTOR, gettext_lazy("Only leads and contributors propose decisions.")),
    ANSWER: (
        Level.CONTRIBUTOR,
        gettext_lazy("Only contributing organisations answer proposals; observers read along."),
    ),
    DECIDE: (Level.LEAD, gettext_lazy("Only the programme's leads decide proposals.")),
}
