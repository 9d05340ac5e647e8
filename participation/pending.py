"""What a person whose affiliation still waits is told, after confirming their e-mail address
or after a single sign-on alike: who confirms it (`permissions.organisations_confirmable_by`),
and for a new organisation that asking to join a programme is what brings it to a lead."""

from django.contrib import messages
from django.utils.translation import gettext as _

from .models import AffiliationRequest


def pending_affiliations_tell(request, user) -> None:
    for pending in AffiliationRequest.objects.filter(
        user=user, status=AffiliationRequest.Status.PENDING
    ).select_related("organisation"):
        if pending.organisation.is_confirmed:
            text = _(
                "The contact of %(organisation)s, or a lead of a programme it takes part in, "
                "still confirms that you work there."
            )
        else:
            text = _(
                "%(organisation)s is new in Stip. Open the programme you want to take part in "
                "and ask to join it for %(organisation)s: its leads confirm %(organisation)s, "
                "and that you work there."
            )
        messages.info(request, text % {"organisation": pending.organisation.name})
