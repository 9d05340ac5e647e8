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


def test_a_person_without_a_profile_language_reads_the_site_language_not_the_browsers(
    world, client, settings
):
    settings.LANGUAGE_CODE = "nl"
    Profile.objects.filter(user=world.observer).delete()
    client.force_login(world.observer)
    page = client.get("/", headers={"accept-language": "en"})
    assert page.headers["Content-Language"] == "nl"
    assert client.cookies["django_language"].value == "nl"

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "en"  # until they choose another


def test_demo_people_all_read_dutch_in_an_english_browser(db, settings):
    from participation.demo import PEOPLE, people_load

    settings.LANGUAGE_CODE = "nl"
    people = people_load("demo-password")
    for person in PEOPLE:
        browser = Client()
        browser.force_login(people[person.username])
        page = browser.get("/", headers={"accept-language": "en-GB,en"})
        assert page.headers["Content-Language"] == "nl", person.username
