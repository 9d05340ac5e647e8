"""A contributor adds a step, reorders the steps, signs off and sees the overview change, in
real Chromium."""

import re

from playwright.sync_api import expect

from usecases import selectors, services
from usecases.models import DetailSettings
from wiki.models import Document


def _usecase(world):
    main = services_document(world, "Onderwijs plannen", Document.Kind.MAIN_PROCESS, None)
    work = services_document(world, "Rooster maken", Document.Kind.WORK_PROCESS, main)
    return services.usecase_create(
        programme=world.programme,
        parent=work,
        title="Publish the roster",
        data={
            "goal_level": "user_goal",
            "primary_actor": "Roster maker",
            "steps": [
                {"id": "s1", "actor": "Roster maker", "text": "Approves the draft roster."},
                {"id": "s2", "actor": "Student", "text": "Reads the roster."},
            ],
        },
        author=world.lead,
    )


def services_document(world, title, kind, parent):
    from wiki import services as wiki_services

    return wiki_services.document_create(
        programme=world.programme, kind=kind, title=title, body="", author=world.lead, parent=parent
    )


def test_add_reorder_sign_off_and_overview(page, login, world):
    document = _usecase(world)
    programme = world.programme.slug
    DetailSettings.objects.create(programme=world.programme, technical_words="screen\nbutton")
    login(world.contributor)

    page.goto(f"/p/{programme}/uc/{document.slug}/edit/")
    page.get_by_role("button", name="Add a step").click()
    rows = page.locator("fieldset[data-rows=steps] [data-row]")
    expect(rows).to_have_count(3)
    rows.nth(2).get_by_label("Actor").fill("Roster maker")
    warnings = page.locator("[data-warnings]")
    rows.nth(2).get_by_label("What happens").fill("Publishes the roster on the screen.")
    expect(warnings).to_contain_text("“screen”")
    rows.nth(2).get_by_label("What happens").fill("Publishes the roster.")
    expect(warnings).not_to_contain_text("“screen”")
    rows.nth(2).get_by_role("button", name="Move up").click()
    expect(rows.nth(1).get_by_label("What happens")).to_have_value("Publishes the roster.")
    page.get_by_label("Edit summary").fill("Publishing step added")
    page.get_by_role("button", name="Save use case").last.click()

    steps = page.locator(".usecase-steps > li .step-text")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Approves the draft roster.")
    expect(steps.nth(1)).to_contain_text("Publishes the roster.")
    expect(steps.nth(2)).to_contain_text("Reads the roster.")
    assert [s["text"] for s in selectors.usecase_data(document)["steps"]][1] == (
        "Publishes the roster."
    )

    page.goto(f"/p/{programme}/overview/")
    row = page.locator(f"tr[data-document='{document.slug}']")
    cell = row.locator(f"td[data-organisation='{world.contributing_org.slug}']")
    expect(cell).to_have_text("–")
    expect(row.locator("td.num").first).to_have_text("3")

    page.goto(f"/p/{programme}/signoffs/{document.slug}/")
    page.get_by_label("Agree with remarks").check()
    page.get_by_label("Remarks or reason").fill("Fine for our school.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".signoffs")).to_contain_text("Agree with remarks")

    page.goto(f"/p/{programme}/overview/")
    expect(cell).to_contain_text("Agree with remarks")
    expect(cell).not_to_contain_text("older version")

    # Someone changes the use case: the sign-off now shows as given on an older version.
    document.refresh_from_db()
    data = selectors.usecase_data(document)
    data["frequency"] = "Four times a year."
    services.usecase_save(
        document=document, data=data, base_version_id=document.head_id, author=world.lead
    )
    page.reload()
    expect(cell).to_contain_text("older version")
    page.goto(f"/p/{programme}/uc/{document.slug}/")
    expect(page.get_by_role("link", name="changes since then")).to_have_attribute(
        "href", re.compile(r"/diff/\?from=\d+&to=\d+")
    )
