"""Timeboxes in real Chromium: a lead creates a timebox, its deadline passes (the test moves it),
an edit in scope is refused with the typed text kept, the lead closes the timebox with an outcome
and opens the baseline."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from timeboxes.models import Timebox
from wiki.models import Document


def test_lead_creates_timebox_edit_is_refused_after_deadline_lead_closes_and_opens_baseline(
    page, login, world, make_document
):
    main = make_document(world, title="Onderwijs", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(
        world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main, body="Rooster.\n"
    )
    login(world.lead)

    page.goto(f"/p/{world.programme.slug}/timeboxes/")
    page.get_by_role("link", name="New timebox").click()
    page.get_by_label("Name", exact=True).fill("Specificatiefase")
    page.get_by_label("Goal", exact=True).fill("Roosters afgesproken")
    deadline = timezone.localtime(timezone.now(), ZoneInfo("Europe/Amsterdam")) + timedelta(days=2)
    page.get_by_label("Deadline", exact=True).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_subtrees").get_by_label("Onderwijs (main process)").check()
    page.get_by_role("button", name="Create timebox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Specificatiefase")
    expect(page.locator("main")).to_contain_text("Roosteren")

    # The document shows the timebox and the time left.
    page.goto(work.get_absolute_url())
    expect(page.locator(".timebox-banner")).to_contain_text("Specificatiefase")
    expect(page.locator(".timebox-banner")).to_contain_text("left")

    # The deadline passes.
    timebox = Timebox.objects.get()
    Timebox.objects.filter(pk=timebox.pk).update(
        starts_at=timezone.now() - timedelta(hours=2),
        deadline=timezone.now() - timedelta(minutes=1),
    )

    page.goto(work.get_absolute_url() + "edit/")
    page.get_by_label("Text (markdown)").fill("Rooster, te laat aangevuld.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Frozen since")
    expect(page.get_by_role("alert").first).to_contain_text("Specificatiefase")
    expect(page.get_by_label("Text (markdown)")).to_have_value("Rooster, te laat aangevuld.")
    work.refresh_from_db()
    assert work.body == "Rooster.\n"

    page.goto(timebox.get_absolute_url())
    page.get_by_role("link", name="Close with outcome").click()
    expect(page.get_by_role("heading", name="Closing checklist")).to_be_visible()
    page.get_by_label("Outcome").fill("Roosters zijn afgesproken; avondlessen volgen later.")
    page.get_by_role("button", name="Close and record the baseline").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Baseline")
    expect(page.locator("main")).to_contain_text("Roosters zijn afgesproken")
    page.get_by_role("link", name="Roosteren").click()
    expect(page.locator(".prose")).to_have_text("Rooster.")
    expect(page.get_by_role("status").first).to_contain_text("Read-only")

    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.CLOSED
    assert timebox.baselines.count() == 1
