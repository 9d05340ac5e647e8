"""Single sign-on with SAML 2.0 against a real identity provider on loopback (pysaml2's IdP,
tests/sso/saml_idp.py), configured as a social application in the database."""

import pytest
from django.contrib.auth import get_user_model

from participation.models import Affiliation, IdentityDomain
from tests import factories
from tests.sso.providers import PEOPLE, SAML_ID, Visitor

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = f"/accounts/saml/{SAML_ID}/login/"


@pytest.fixture
def albeda():
    organisation = factories.OrganisationFactory(name="Albeda", is_confirmed=True)
    IdentityDomain.objects.create(organisation=organisation, value="albeda.nl")
    return organisation


def test_person_of_a_known_school_logs_in_and_belongs_to_it_at_once(
    live_server, saml_provider, albeda
):
    visitor = Visitor(live_server)
    page = visitor.start_sso(LOGIN)
    assert "Test identity provider (SAML)" in page.text
    visitor.sign_in_at_provider(page, "anna", PEOPLE["anna"]["password"])

    assert visitor.logged_in_as() == "Anna de Vries"
    person = get_user_model().objects.get(email="anna.devries@albeda.nl")
    assert Affiliation.objects.filter(user=person, organisation=albeda).exists()
