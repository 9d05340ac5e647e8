"""The e-mails Stip sends: each with a plain-text and an HTML part, in the recipient's language,
and (for notification mail) a link per kind of mail that unsubscribes without logging in."""

from __future__ import annotations

from collections import OrderedDict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .events import PREFERENCES, event_kind, event_kinds, notification_url
from .models import Event, Invitation, Notification, Profile
from .selectors import language_of

UNSUBSCRIBE_SALT = "stip.participation.unsubscribe"
SIGNUP_SALT = "stip.participation.signup"

PREFERENCE_LABELS = {name: Profile._meta.get_field(name).verbose_name for name in PREFERENCES}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user, preference: str) -> str:
    return signing.dumps({"u": user.pk, "p": preference}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """The user id and preference of a token; signing.BadSignature when it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("p") not in PREFERENCE_LABELS:
        raise signing.BadSignature("unknown preference")
    return int(data["u"]), data["p"]


def unsubscribe_url(user, preference: str) -> str:
    return absolute(
        reverse("participation:unsubscribe", kwargs={"token": unsubscribe_token(user, preference)})
    )


def _message(*, user, subject: str, template: str, context: dict, headers=None):
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email] if hasattr(user, "email") else [user],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def _item(notification: Notification) -> dict:
    kind = event_kind(notification.kind)
    summaries = []
    if notification.event.summary:
        summaries.append(notification.event.summary)
    if notification.count > 1 and notification.target_id:
        summaries = list(
            Event.objects.filter(
                target_type_id=notification.target_type_id,
                target_id=notification.target_id,
                actor_id=notification.actor_id,
                kind__in=event_kinds(preference=kind.preference),
                version_id__gt=notification.from_version_id or 0,
                version_id__lte=notification.to_version_id or 0,
            )
            .exclude(summary="")
            .order_by("pk")
            .values_list("summary", flat=True)
        )
    actor = notification.actor
    return {
        "notification": notification,
        "actor": (actor.get_full_name() or actor.get_username()) if actor else _("Someone"),
        "verb": kind.verb,
        "summaries": summaries,
        "url": absolute(notification_url(notification)),
    }


def notification_message(
    *, user, items: list[Notification], digest: str | None, language: str | None = None
):
    """One e-mail about one or more notifications, grouped per programme and per what they are
    about (their target: a document, say)."""
    with translation.override(language or language_of(user)):
        groups: OrderedDict = OrderedDict()
        for notification in sorted(
            items, key=lambda n: (n.programme.name, str(n.target or ""), n.pk)
        ):
            programme_group = groups.setdefault(
                notification.programme_id,
                {"programme": notification.programme, "targets": OrderedDict()},
            )
            key = (notification.target_type_id or 0, notification.target_id or 0)
            target_group = programme_group["targets"].setdefault(
                key, {"target": notification.target, "items": []}
            )
            target_group["items"].append(_item(notification))
        preferences = sorted({event_kind(n.kind).preference for n in items})
        unsubscribe = [
            {"label": PREFERENCE_LABELS[p], "url": unsubscribe_url(user, p)} for p in preferences
        ]
        if digest == Notification.Email.DAILY:
            subject = _("Stip: your daily digest")
        elif digest == Notification.Email.WEEKLY:
            subject = _("Stip: your weekly digest")
        elif len(items) == 1:
            only = _item(items[0])
            target = str(items[0].target or items[0].programme.name)
            subject = _("Stip: %(actor)s %(verb)s %(target)s") % {
                "actor": only["actor"],
                "verb": only["verb"],
                "target": target,
            }
        else:
            subject = _("Stip: %(count)s changes you follow") % {"count": len(items)}
        context = {
            "user": user,
            "groups": [
                {"programme": g["programme"], "targets": list(g["targets"].values())}
                for g in groups.values()
            ],
            "digest": digest,
            "unsubscribe": unsubscribe,
            "preferences_url": absolute(reverse("participation:preferences")),
            "site_url": settings.SITE_URL,
        }
        headers = {}
        if unsubscribe:
            headers = {
                "List-Unsubscribe": f"<{unsubscribe[0]['url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        return _message(
            user=user,
            subject=subject,
            template="notifications",
            context=context,
            headers=headers,
        )


def signup_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SIGNUP_SALT)


def signup_read(token: str, *, max_age_days: int = 3) -> tuple[int, str]:
    data = signing.loads(token, salt=SIGNUP_SALT, max_age=max_age_days * 86400)
    return int(data["u"]), data["e"]


def signup_confirmation_message(user):
    with translation.override(language_of(user)):
        url = absolute(reverse("participation:confirm", kwargs={"token": signup_token(user)}))
        return _message(
            user=user,
            subject=_("Stip: confirm your e-mail address"),
            template="signup_confirmation",
            context={"user": user, "url": url, "site_url": settings.SITE_URL},
        )


def invitation_message(invitation: Invitation):
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
    language = language_of(existing) if existing else settings.LANGUAGE_CODE
    with translation.override(language):
        url = absolute(reverse("participation:invitation", kwargs={"token": invitation.token}))
        inviter = invitation.invited_by
        return _message(
            user=invitation.email,
            subject=_("Stip: an invitation to take part in %(programme)s")
            % {"programme": invitation.programme.name},
            template="invitation",
            context={
                "invitation": invitation,
                "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
                "url": url,
                "site_url": settings.SITE_URL,
            },
        )


def affiliation_request_message(request, *, to):
    """To a person who may confirm it: someone says they work for an organisation."""
    with translation.override(language_of(to)):
        person = request.user
        return _message(
            user=to,
            subject=_("Stip: does %(name)s work for %(organisation)s?")
            % {
                "name": person.get_full_name() or person.email,
                "organisation": request.organisation.name,
            },
            template="affiliation_request",
            context={
                "request": request,
                "person": person.get_full_name() or person.email,
                "url": absolute(reverse("participation:affiliations")),
                "site_url": settings.SITE_URL,
            },
        )
