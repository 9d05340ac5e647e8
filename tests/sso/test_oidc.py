"""Single sign-on with OpenID Connect against a real provider on loopback (django-oauth-toolkit,
tests/sso/oidc_provider.py), configured through the environment."""

import pytest
from django.contrib.auth import get_user_model

from participation.models import Affiliation, IdentityDomain
from tests import factories
from tests.sso.providers import OIDC_ID, PEOPLE, Visitor

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = f"/accounts/oidc/{OIDC_ID}/login/"


@pytest.fixture
def albeda():
    organisation = factories.OrganisationFactory(name="Albeda", is_confirmed=True)
    IdentityDomain.objects.create(organisation=organisation, value="albeda.nl")
    return organisation


def test_person_of_a_known_school_logs_in_and_belongs_to_it_at_once(
    live_server, oidc_provider, albeda
):
    visitor = Visitor(live_server)
    page = visitor.start_sso(LOGIN)
    assert "Test identity provider" in page.text
    visitor.sign_in_at_provider(page, "anna", PEOPLE["anna"]["password"])

    assert visitor.logged_in_as() == "Anna de Vries"
    person = get_user_model().objects.get(email="anna.devries@albeda.nl")
    assert Affiliation.objects.filter(user=person, organisation=albeda).exists()
