from usecases import services


def test_glossary_words_for_the_editor_follow_reading_rights(closed_world, client):
    services.term_save(
        programme=closed_world.programme,
        term="Deelnemer",
        definition="Wie een opleiding volgt.",
        author=closed_world.lead,
    )
    url = f"/p/{closed_world.programme.slug}/usecases/glossary.json"
    client.force_login(closed_world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(closed_world.observer)
    terms = client.get(url).json()["terms"]
    assert terms[0]["term"] == "Deelnemer"
    assert terms[0]["definition"] == "Wie een opleiding volgt."
