"""What single sign-on does the same way over OpenID Connect and SAML 2.0."""

import pytest
from django.contrib.auth import get_user_model

from participation.models import Affiliation
from tests.sso.providers import OIDC_ID, SAML_ID, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["oidc", "saml"])
def login_path(request):
    if request.param == "oidc":
        request.getfixturevalue("oidc_provider")
        return f"/accounts/oidc/{OIDC_ID}/login/"
    request.getfixturevalue("saml_provider")
    return f"/accounts/saml/{SAML_ID}/login/"


def test_person_of_a_known_school_logs_in_and_belongs_to_it_at_once(
    live_server, login_path, albeda
):
    visitor = Visitor(live_server)
    page = visitor.start_sso(login_path)
    assert "Test identity provider" in page.text
    visitor.sign_in_at_provider(page, "anna", "anna-at-the-provider")

    assert visitor.logged_in_as() == "Anna de Vries"
    person = get_user_model().objects.get(email="anna.devries@albeda.nl")
    assert Affiliation.objects.filter(user=person, organisation=albeda).exists()
    assert person.username == "anna.devries@albeda.nl"
