"""What the wiki keeps in the cache never shows a reader something stale or something they may
not see: the rendered text per version, the glossary marking, and the diff of two versions (its
rows and its rendered table). Each test changes what a page is made of, then looks again."""

from django.urls import reverse

from usecases import services as usecase_services
from usecases.models import Term
from wiki import services
from wiki.models import Document


def url(name, document, **query):
    path = reverse(f"wiki:{name}", args=[document.programme.slug, document.slug])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def _save(document, body, author, **kwargs):
    document.refresh_from_db()
    return services.document_save(
        document=document, body=body, base_version_id=document.head_id, author=author, **kwargs
    )


# --- the document page -------------------------------------------------------------------------


def test_edit_then_view_shows_the_new_text(client, world, make_document):
    document = make_document(world, body="Het oude verhaal.\n")
    assert "Het oude verhaal." in client.get(document.get_absolute_url()).text
    _save(document, "Het nieuwe verhaal.\n", world.contributor)
    text = client.get(document.get_absolute_url()).text
    assert "Het nieuwe verhaal." in text and "Het oude verhaal." not in text


def test_revert_then_view_shows_the_old_text_again(client, world, make_document):
    document = make_document(world, body="Eerst dit.\n")
    first = document.head_id
    _save(document, "Toen dat.\n", world.contributor)
    assert "Toen dat." in client.get(document.get_absolute_url()).text
    document.refresh_from_db()
    services.document_revert(document=document, version_id=first, author=world.contributor)
    text = client.get(document.get_absolute_url()).text
    assert "Eerst dit." in text and "Toen dat." not in text


def test_a_changed_definition_shows_on_the_page_at_once(client, world, make_document):
    document = make_document(world, body="Het rooster staat online.\n")
    term = usecase_services.term_save(
        programme=world.programme, term="rooster", definition="Wie waar is.", author=world.lead
    )
    assert 'data-definition="Wie waar is."' in client.get(document.get_absolute_url()).text
    usecase_services.term_save(
        programme=world.programme,
        term="rooster",
        definition="Wie wanneer waar is.",
        author=world.lead,
        instance=term,
    )
    text = client.get(document.get_absolute_url()).text
    assert 'data-definition="Wie wanneer waar is."' in text
    assert 'data-definition="Wie waar is."' not in text


def test_a_new_local_word_is_marked_on_the_page_at_once(client, world, make_document):
    document = make_document(world, body="De lesplanning staat online.\n")
    term = usecase_services.term_save(
        programme=world.programme, term="rooster", definition="Wie waar is.", author=world.lead
    )
    assert 'class="glossary-term"' not in client.get(document.get_absolute_url()).text
    usecase_services.local_word_save(
        term=Term.objects.get(pk=term.pk), word="lesplanning", author=world.contributor
    )
    text = client.get(document.get_absolute_url()).text
    assert 'data-definition="Wie waar is.">lesplanning</a>' in text


def test_a_sign_off_shows_on_the_page_at_once(client, world, make_document):
    document = make_document(world)
    assert "No organisation has signed off yet." in client.get(document.get_absolute_url()).text
    usecase_services.signoff_give(
        document=document, verdict="agree", remarks="", author=world.contributor
    )
    text = client.get(document.get_absolute_url()).text
    assert "No organisation has signed off yet." not in text
    assert world.contributing_org.name in text


def test_the_tree_below_a_process_shows_a_new_use_case_at_once(client, world, make_document):
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Rooster maken", kind=Document.Kind.WORK_PROCESS, parent=main)
    assert 'class="usecase-tree"' not in client.get(work.get_absolute_url()).text
    usecase = usecase_services.usecase_create(
        programme=world.programme,
        parent=work,
        title="Het weekrooster maken",
        data={"goal_level": "user_goal", "steps": [{"id": "s1", "text": "Maakt het rooster."}]},
        author=world.contributor,
    )
    for document in (work, main):  # the process right above it, and the one above that
        text = client.get(document.get_absolute_url()).text
        assert 'class="usecase-tree"' in text and usecase.title in text
    usecase_services.signoff_give(
        document=usecase, verdict="agree", remarks="", author=world.contributor
    )
    assert "signoff-agree" in client.get(main.get_absolute_url()).text


# --- the diff of two versions ------------------------------------------------------------------


def _diff_after_edit(document, body, author) -> str:
    """Edit the document; the address of the diff between its version before and after."""
    first = document.head_id
    _save(document, body, author)
    document.refresh_from_db()
    return url("diff", document, **{"from": first, "to": document.head_id})


def test_a_diff_cut_short_by_the_time_budget_is_shown_whole_later(
    client, world, make_document, settings
):
    document = make_document(world, body="De kat zit op de mat.\n")
    address = _diff_after_edit(document, "De hond zit op de mat.\n", world.contributor)
    settings.STIP_DIFF_TIMEOUT_SECONDS = 0
    hurried = client.get(address).text
    assert "some changed lines are shown whole" in hurried
    assert "<del>kat</del>" not in hurried
    settings.STIP_DIFF_TIMEOUT_SECONDS = 1.0
    calm = client.get(address).text
    assert "some changed lines are shown whole" not in calm
    assert "<del>kat</del>" in calm and "<ins>hond</ins>" in calm


def test_a_diff_follows_the_readers_language(client, world, make_document):
    document = make_document(world, body="a\nb\n")
    address = _diff_after_edit(document, "a\nc\n", world.contributor)
    english = client.get(address, HTTP_ACCEPT_LANGUAGE="en").text
    assert '<span class="visually-hidden">removed: </span>' in english
    dutch = client.get(address, HTTP_ACCEPT_LANGUAGE="nl").text
    assert '<span class="visually-hidden">verwijderd: </span>' in dutch
    assert "removed:" not in dutch


def test_a_diff_shows_the_authors_name_as_it_is_now(client, world, make_document):
    document = make_document(world, body="a\n", author=world.contributor)
    address = _diff_after_edit(document, "b\n", world.contributor)
    assert "Ada Lovelace" not in client.get(address).text
    world.contributor.first_name, world.contributor.last_name = "Ada", "Lovelace"
    world.contributor.save()
    table = client.get(address).text.split('<table class="diff">')[1]
    assert "(Ada Lovelace)</th>" in table


def test_a_cached_diff_is_not_shown_to_an_outsider(client, closed_world, make_document):
    document = make_document(closed_world, body="Vertrouwelijk plan.\n")
    address = _diff_after_edit(document, "Vertrouwelijk plan, herzien.\n", closed_world.contributor)
    client.force_login(closed_world.contributor)
    assert "herzien" in client.get(address).text
    client.force_login(closed_world.outsider)
    response = client.get(address)
    assert response.status_code == 404
    assert "herzien" not in response.text


def test_a_process_lists_the_documents_below_it_once(client, world, make_document):
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Rooster maken", kind=Document.Kind.WORK_PROCESS, parent=main)
    text = client.get(main.get_absolute_url()).text
    assert text.count("Below this document") == 1 and work.title in text
    usecase_services.usecase_create(
        programme=world.programme,
        parent=work,
        title="Het weekrooster maken",
        data={"goal_level": "user_goal", "steps": [{"id": "s1", "text": "Maakt het rooster."}]},
        author=world.contributor,
    )
    for document in (main, work):  # the tree of use cases stands in place of the plain list
        text = client.get(document.get_absolute_url()).text
        assert text.count("Below this document") == 1 and 'class="usecase-tree"' in text
        assert 'class="children"' not in text
