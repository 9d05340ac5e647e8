"""A person's language follows them: chosen once, it holds in another browser too."""

from django.test import Client

from participation.models import Profile


def test_chosen_language_is_remembered_for_the_person_in_another_browser(world, client):
    client.force_login(world.contributor)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert Profile.objects.get(user=world.contributor).language == "en"

    other_browser = Client()
    other_browser.force_login(world.contributor)
    page = other_browser.get("/")
    assert page.headers["Content-Language"] == "en"
    assert other_browser.cookies["django_language"].value == "en"

    other_browser.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert Profile.objects.get(user=world.contributor).language == "nl"
    assert Client().get("/", headers={"accept-language": "en"}).headers["Content-Language"] == "en"
