"""One e-mail that fails does not hold back the others (a real SMTP server on loopback).

A timebox whose name holds a line break (as one stored before names were kept on one line)
sends its reminder round to five people. The SMTP server refuses one of them for good (550)
and answers "try again later" (451) for another. The other three get their reminder, with the
subject on one line; the refused one is marked failed at once with the server's answer; the
deferred one is tried again, after growing waits, and marked failed with its reason when its
attempts are spent. A superuser sees both failures in the Wagtail admin.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from participation.mail import mail_deliver, retry_after
from participation.models import OutgoingMail
from tests import factories
from tests.smtp import smtp_server_start
from timeboxes import services as timeboxes
from timeboxes.models import Notice, Timebox

pytestmark = pytest.mark.django_db

REFUSED = "gone@example.org"
DEFERRED = "busy@example.org"


class PickySmtp:
    """Accepts every recipient but two: one refused for good, one asked to try again later.
    Counts the attempts per recipient."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (recipient, subject)
        self.attempts: dict[str, int] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts[address] = self.attempts.get(address, 0) + 1
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        if address == DEFERRED:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for address in envelope.rcpt_tos:
            self.received.append((address, str(parsed["Subject"])))
        return "250 OK"


@pytest.fixture
def picky_smtp():
    handler = PickySmtp()
    controller, port = smtp_server_start(handler)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=10,
    ):
        try:
            yield handler
        finally:
            controller.stop()


def _reminder_round(world, document, people) -> Timebox:
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Visie",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=7),
        documents=[document],
    )
    Timebox.objects.filter(pk=timebox.pk).update(name="Visie\r\n2030")
    Notice.objects.all().delete()
    for person in people:
        Notice.objects.create(
            timebox=timebox,
            occasion="reminder:1:604800",
            kind=Notice.Kind.REMINDER,
            recipient=person,
        )
    return timebox


def test_one_refused_and_one_deferred_message_hold_back_no_other(
    client, world, make_document, picky_smtp, django_user_model
):
    fine = [factories.UserFactory(username=f"fine{n}") for n in range(3)]
    refused = factories.UserFactory(username="gone", email=REFUSED)
    deferred = factories.UserFactory(username="busy", email=DEFERRED)
    _reminder_round(world, make_document(world), [fine[0], refused, fine[1], deferred, fine[2]])

    timeboxes.notices_deliver()

    # Everyone else has the reminder, its subject on one line.
    assert sorted(address for address, _subject in picky_smtp.received) == sorted(
        person.email for person in fine
    )
    assert all("Visie 2030" in subject for _address, subject in picky_smtp.received)
    assert not Notice.objects.filter(status=Notice.Status.PENDING).exists()
    gone = OutgoingMail.objects.get(to=[REFUSED])
    assert gone.status == OutgoingMail.Status.FAILED and gone.attempts == 1
    assert "550" in gone.last_error and "No such mailbox" in gone.last_error
    busy = OutgoingMail.objects.get(to=[DEFERRED])
    assert busy.status == OutgoingMail.Status.PENDING and busy.attempts == 1
    assert "451" in busy.last_error

    # Not tried again before its wait has passed; then after each growing wait.
    mail_deliver()
    assert picky_smtp.attempts[DEFERRED] == 1
    waits = retry_after()
    assert list(waits) == sorted(waits) and len(waits) >= 2
    for attempt, wait in enumerate(waits, start=1):
        busy.refresh_from_db()
        assert busy.status == OutgoingMail.Status.PENDING and busy.attempts == attempt
        waited = busy.next_attempt_at - timezone.now()
        assert timedelta(seconds=wait - 5) < waited <= timedelta(seconds=wait)
        OutgoingMail.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
        mail_deliver()
    busy.refresh_from_db()
    assert busy.status == OutgoingMail.Status.FAILED
    assert busy.attempts == len(waits) + 1 == picky_smtp.attempts[DEFERRED]
    assert "451" in busy.last_error and "try again later" in busy.last_error
    assert picky_smtp.attempts[REFUSED] == 1, "a message refused for good is not tried again"
    assert len(picky_smtp.received) == 3, "nobody got a second copy"

    # Admins see what failed, and why.
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    listing = client.get(reverse("outgoing_mail:index"), {"status": "failed"})
    assert listing.status_code == 200
    assert REFUSED in listing.text and DEFERRED in listing.text
    assert "No such mailbox" in listing.text
    client.force_login(world.lead)
    assert client.get(reverse("outgoing_mail:index")).status_code in (302, 403)


def _failed_mail(to: str, subject: str = "Herinnering: Visie") -> OutgoingMail:
    return OutgoingMail.objects.create(
        kind="reminder",
        to=[to],
        from_email="stip@example.org",
        subject=subject,
        body="De deadline nadert.",
        status=OutgoingMail.Status.FAILED,
        attempts=5,
        last_error="451 4.3.0 Mailbox busy, try again later",
    )


def test_superuser_sends_a_failed_message_again_from_the_admin(
    client, picky_smtp, django_user_model
):
    failed = _failed_mail("back@example.org")
    other = _failed_mail("later@example.org", subject="Andere herinnering")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)

    listing = client.get(reverse("outgoing_mail:index"), {"status": "failed"})
    retry_one = f"{reverse('outgoing_mail:retry')}?id={failed.pk}"
    assert retry_one in listing.text and "Retry failed e-mail" in listing.text
    confirm = client.get(retry_one)
    assert confirm.status_code == 200
    assert "back@example.org" in confirm.text and "later@example.org" not in confirm.text
    assert picky_smtp.received == [], "nothing is sent before the confirmation"

    done = client.post(reverse("outgoing_mail:retry"), {"id": failed.pk}, follow=True)

    assert picky_smtp.received == [("back@example.org", "Herinnering: Visie")]
    assert "1 e-mail was sent." in done.text
    failed.refresh_from_db()
    assert failed.status == OutgoingMail.Status.SENT and failed.last_error == ""
    other.refresh_from_db()
    assert other.status == OutgoingMail.Status.FAILED, "only the chosen message was retried"


def test_retrying_all_sends_what_can_go_and_marks_a_refusal_failed_again(
    client, picky_smtp, django_user_model
):
    fine = _failed_mail("back@example.org")
    refused = _failed_mail(REFUSED)
    uncomposed = OutgoingMail.objects.create(
        kind="reminder",
        to=["never@example.org"],
        from_email="stip@example.org",
        subject="",
        body="",
        status=OutgoingMail.Status.FAILED,
        last_error="ValueError: could not compose",
    )
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)

    done = client.post(reverse("outgoing_mail:retry"), follow=True)

    assert [address for address, _subject in picky_smtp.received] == ["back@example.org"]
    assert "1 of 2 e-mails were sent." in done.text
    fine.refresh_from_db()
    refused.refresh_from_db()
    uncomposed.refresh_from_db()
    assert fine.status == OutgoingMail.Status.SENT
    assert refused.status == OutgoingMail.Status.FAILED and refused.attempts == 1
    assert "No such mailbox" in refused.last_error
    assert uncomposed.status == OutgoingMail.Status.FAILED, "an empty message is never sent"
    assert "never@example.org" not in picky_smtp.attempts


def test_only_superusers_may_retry_failed_mail(client, world, picky_smtp):
    failed = _failed_mail("back@example.org")
    client.force_login(world.lead)

    response = client.post(reverse("outgoing_mail:retry"), {"id": failed.pk})

    assert response.status_code in (302, 403)
    failed.refresh_from_db()
    assert failed.status == OutgoingMail.Status.FAILED and picky_smtp.received == []
