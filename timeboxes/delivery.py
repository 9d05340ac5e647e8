"""Turning a `Notice` into the message a person reads: in their language, as e-mail with a
plain-text and an HTML part, put in participation's mail outbox. Called by
`services.notices_deliver` with the notice's row locked."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from participation.emails import PREFERENCE_LABELS, absolute, unsubscribe_url
from participation.mail import mail_queue
from participation.notifications import message_id
from participation.selectors import language_of

from . import selectors
from .models import Notice, Timebox, TimeboxEvent

logger = logging.getLogger("stip.timeboxes")


def _subject(notice: Notice, timebox: Timebox) -> str:
    subjects = {
        Notice.Kind.REMINDER: _("Reminder: “%(name)s” ends in %(left)s"),
        Notice.Kind.NOT_TAKEN_PART: _(
            "Your organisation has not taken part yet: “%(name)s” ends in %(left)s"
        ),
        Notice.Kind.FROZEN: _("The deadline of “%(name)s” has passed: please close it"),
        Notice.Kind.EXTENDED: _("The deadline of “%(name)s” was extended"),
        Notice.Kind.REOPENED: _("“%(name)s” was reopened"),
        Notice.Kind.CLOSED: _("“%(name)s” was closed"),
    }
    from django.utils.timesince import timeuntil

    return subjects[notice.kind] % {
        "name": timebox.name,
        "left": timeuntil(timebox.deadline, timezone.now(), depth=1),
    }


def context_for(notice: Notice, cache: dict | None = None) -> dict:
    """What the message says. The part that is the same for every recipient of one occasion is
    computed once per batch (`cache`)."""
    key = (notice.timebox_id, notice.occasion, notice.kind)
    if cache is not None and key in cache:
        shared = cache[key]
    else:
        shared = _shared_context(notice)
        if cache is not None:
            cache[key] = shared
    return {**shared, "notice": notice, "recipient": notice.recipient}


def _shared_context(notice: Notice) -> dict:
    timebox = Timebox.objects.select_related("programme").get(pk=notice.timebox_id)
    ids = selectors.scope_document_ids(timebox)
    context = {
        "kind": notice.kind,
        "timebox": timebox,
        "programme": timebox.programme,
        "deadline": timebox.local(timebox.deadline),
        "site_url": settings.SITE_URL.rstrip("/"),
        "url": settings.SITE_URL.rstrip("/") + timebox.get_absolute_url(),
    }
    if notice.kind in (Notice.Kind.REMINDER, Notice.Kind.NOT_TAKEN_PART, Notice.Kind.FROZEN):
        statuses = selectors.signoff_status(ids)
        context.update(
            changed=selectors.changed_documents(timebox, ids),
            discussions=selectors.open_discussions(timebox, ids),
            without_signoff=[s.document for s in statuses or [] if s.none],
        )
    if notice.kind in (Notice.Kind.EXTENDED, Notice.Kind.REOPENED):
        kind = (
            TimeboxEvent.Kind.EXTENDED
            if notice.kind == Notice.Kind.EXTENDED
            else TimeboxEvent.Kind.REOPENED
        )
        event_id = notice.occasion.split(":", 1)[1]
        context["event"] = TimeboxEvent.objects.filter(pk=event_id, kind=kind).first()
        if context["event"] and context["event"].deadline_before:
            context["deadline_before"] = timebox.local(context["event"].deadline_before)
    if notice.kind == Notice.Kind.CLOSED:
        baseline = timebox.baselines.order_by("-cycle").first()
        context["baseline"] = baseline
        if baseline is not None:
            context["baseline_url"] = settings.SITE_URL.rstrip("/") + baseline.get_absolute_url()
    return context


def deliver(notice: Notice, cache: dict | None = None) -> None:
    """Queue the notice's message (participation.mail sends it, retries it or marks it failed)."""
    recipient = notice.recipient
    if not recipient.email:
        logger.info("Timebox notice %s: %s has no e-mail address", notice.pk, recipient)
        return
    profile = getattr(recipient, "stip_profile", None)
    if profile is not None and (
        profile.email_frequency == profile.EmailFrequency.NEVER or not profile.email_timeboxes
    ):
        return  # the person still sees it among their notifications in the site
    with translation.override(language_of(recipient)):
        context = context_for(notice, cache)
        unsubscribe = unsubscribe_url(recipient, "email_timeboxes")
        context = {
            **context,
            "unsubscribe_url": unsubscribe,
            "unsubscribe_label": PREFERENCE_LABELS["email_timeboxes"],
            "preferences_url": absolute(reverse("participation:preferences")),
        }
        subject = _subject(notice, context["timebox"])
        text = render_to_string("timeboxes/email/notice.txt", context)
        html = render_to_string("timeboxes/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            # The same each time this notice is sent: a copy sent again after a worker died
            # mid-delivery is recognisably the same message (see services.notices_deliver).
            "Message-ID": message_id("timebox-notice", notice.pk),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    mail_queue(message, kind="timebox-notice")
