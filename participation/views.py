"""Joining, members and notifications in the site. Thin: parse, call one service or
selector, render."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import notifications, permissions, selectors, services
from .events import event_kind, notification_url
from .forms import (
    AcceptInvitationForm,
    AccountForm,
    ApiTokenForm,
    DecisionForm,
    InvitationForm,
    InvitationLinkForm,
    InvitedAccountForm,
    JoinForm,
    LevelForm,
    PreferencesForm,
    SignupForm,
    add_service_errors,
)
from .http import id_from, ids_from
from .models import (
    AffiliationRequest,
    InvitationLink,
    JoinRequest,
    Membership,
    Organisation,
    ProgrammeSettings,
)
from .pending import pending_affiliations_tell
from .permissions import Action
from .selectors import programme_for

LOGIN_BACKEND = "participation.backends.UsernameOrEmailBackend"

# --- Sign-up ---


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    # The language the person reads the site in is the one their account starts with.
    form = SignupForm(
        request.POST or None,
        initial={"language": request.LANGUAGE_CODE},
        organisations=selectors.organisations_public(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.signup(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                organisation=data["organisation"],
                new_organisation_name=data["new_organisation"],
                new_organisation_kind=data["new_organisation_kind"] or Organisation.Kind.OTHER,
                language=data["language"] or request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error("password", error)
        else:
            return render(
                request,
                "participation/signup_done.html",
                {"email": data["email"], "path": selectors.joining_path(user)},
            )
    return render(request, "participation/signup.html", {"form": form})


def confirm(request, token):
    try:
        user = services.signup_confirm(token=token)
    except services.JoiningError as error:
        return render(request, "participation/confirm_failed.html", {"message": error.message})
    login(request, user, backend=LOGIN_BACKEND)
    messages.success(
        request,
        _("Your e-mail address is confirmed. Welcome to Stip!"),
    )
    pending_affiliations_tell(request, user)
    return redirect("home")


@login_required
def path(request):
    """Where the person stands: their account, address and affiliation, and for each programme
    they take part in or asked to join, how far they are and whom they wait for."""
    return render(
        request,
        "participation/path.html",
        {
            "path": selectors.joining_path(request.user),
            "programmes": [
                {
                    "programme": programme,
                    "path": [
                        step
                        for step in selectors.joining_path(request.user, programme)
                        if step.key in selectors.PROGRAMME_STEPS
                    ],
                }
                for programme in selectors.programmes_on_the_way_of(request.user)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def affiliations(request):
    if request.method == "POST":
        found = get_object_or_404(AffiliationRequest, pk=id_from(request.POST.get("request")))
        try:
            services.affiliation_decide(
                request=found, by=request.user, confirm=request.POST.get("decision") == "confirm"
            )
        except services.JoiningError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision saved."))
        return redirect("participation:affiliations")
    return render(
        request,
        "participation/affiliations.html",
        {"requests": selectors.affiliation_requests_for(request.user)},
    )


# --- Members and joining ---


def members(request, programme):
    programme = programme_for(request.user, programme)
    points = selectors.membership_growth(programme)
    return render(
        request,
        "participation/members.html",
        {
            "programme": programme,
            "memberships": selectors.members_of(programme),
            "history": selectors.membership_history(programme),
            "points": points,
            "chart": selectors.growth_chart(points),
            "can_manage": permissions.can(request.user, Action.MANAGE_MEMBERS, programme),
            "can_manage_programme": permissions.can(
                request.user, Action.MANAGE_PROGRAMME, programme
            ),
            "admits_observers": services.admits_observers(programme),
            "login_requirement": selectors.login_requirement_of(programme),
            "login_requirements": ProgrammeSettings.LoginRequirement.choices,
            "pending_count": selectors.join_requests_pending(programme).count(),
            "level_form": LevelForm(),
            "my_requests": selectors.join_requests_of(request.user, programme)[:5]
            if request.user.is_authenticated
            else [],
        },
    )


@login_required
@require_POST
def joining_settings(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_PROGRAMME)
    admit = request.POST.get("admit_observers") == "on"
    services.joining_settings_update(programme=programme, by=request.user, admit_observers=admit)
    if admit:
        messages.success(
            request, _("Organisations that ask to look along now become observers at once.")
        )
    else:
        messages.success(request, _("You now decide on every request to join."))
    return redirect("participation:members", programme=programme.slug)


@login_required
@require_POST
def login_requirement(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_PROGRAMME)
    try:
        services.programme_login_requirement_set(
            programme=programme,
            by=request.user,
            requirement=request.POST.get("login_requirement", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The way contributors log in is saved."))
    return redirect("participation:members", programme=programme.slug)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, programme):
    programme = programme_for(request.user, programme)
    organisations = selectors.organisations_asking_for(request.user)
    form = JoinForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            join_request = services.join_request_create(
                programme=programme,
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                motivation=form.cleaned_data["motivation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.JoiningError as error:
            form.add_error(None, error.message)
        else:
            if join_request.status == JoinRequest.Status.APPROVED:
                messages.success(
                    request,
                    _("%(organisation)s now takes part as %(level)s.")
                    % {
                        "organisation": join_request.organisation.name,
                        "level": join_request.get_level_display(),
                    },
                )
            else:
                messages.success(
                    request,
                    _("Your request is sent. The programme's leads will decide on it."),
                )
            return redirect("participation:members", programme=programme.slug)
    memberships = {
        m.organisation_id: m
        for m in Membership.objects.filter(programme=programme, organisation__in=organisations)
    }
    return render(
        request,
        "participation/join.html",
        {
            "programme": programme,
            "form": form,
            "has_organisation": organisations.exists(),
            "memberships": memberships.values(),
            "path": selectors.joining_path(request.user, programme),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def requests(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    if request.method == "POST":
        join_request = get_object_or_404(
            JoinRequest, pk=id_from(request.POST.get("request")), programme=programme
        )
        form = DecisionForm(request.POST)
        form.is_valid()
        try:
            services.join_request_decide(
                join_request=join_request,
                by=request.user,
                approve=request.POST.get("decision") == "approve",
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except services.JoiningError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision saved; the requester is told."))
        return redirect("participation:requests", programme=programme.slug)
    return render(
        request,
        "participation/requests.html",
        {
            "programme": programme,
            "pending": selectors.join_requests_pending(programme),
            "form": DecisionForm(),
        },
    )


@login_required
@require_POST
def member_level(request, programme, organisation):
    programme = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    membership = get_object_or_404(Membership, programme=programme, organisation__slug=organisation)
    form = LevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a level."))
        return redirect("participation:members", programme=programme.slug)
    level, reason = form.cleaned_data["level"], form.cleaned_data["reason"]
    if level:
        services.membership_set_level(
            membership=membership, level=level, by=request.user, reason=reason
        )
    else:
        services.membership_remove(membership=membership, by=request.user, reason=reason)
    messages.success(request, _("The membership is changed."))
    return redirect("participation:members", programme=programme.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    form = InvitationForm(
        request.POST or None,
        organisations=permissions.organisations_invitable_by(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                programme=programme,
                email=data["email"],
                organisation=data["organisation"],
                level=data["level"],
                message=data["message"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation is sent to %(email)s.") % data)
            return redirect("participation:members", programme=programme.slug)
    return render(request, "participation/invite.html", {"programme": programme, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_links(request, programme):
    """A lead's links for joining in one step: make one, see who may still use which."""
    programme = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    form = InvitationLinkForm(
        request.POST or None,
        organisations=permissions.organisations_invitable_by(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.invitation_link_create(
                programme=programme,
                by=request.user,
                level=data["level"],
                organisation=data["organisation"],
                new_organisation_name=data["new_organisation"],
                new_organisation_kind=data["new_organisation_kind"] or Organisation.Kind.OTHER,
                days=data["days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The link for %(organisation)s is ready: copy it below and send it.")
                % {"organisation": link.organisation.name},
            )
            return redirect("participation:invitation_links", programme=programme.slug)
    return render(
        request,
        "participation/invitation_links.html",
        {
            "programme": programme,
            "form": form,
            "links": [
                {"link": link, "url": request.build_absolute_uri(link.get_absolute_url())}
                for link in selectors.invitation_links_of(programme)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def invitation_link_revoke(request, programme, pk):
    programme = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    link = get_object_or_404(InvitationLink, pk=pk, programme=programme)
    services.invitation_link_revoke(link=link, by=request.user)
    messages.success(request, _("The link is withdrawn; it lets nobody in any more."))
    return redirect("participation:invitation_links", programme=programme.slug)


@require_http_methods(["GET", "POST"])
def invitation_link(request, token):
    """Joining in one step: whoever opens a lead's link signs up here (or logs in and accepts)
    and takes part in the programme for the organisation at once."""
    try:
        link = services.invitation_link_usable(token)
    except services.JoiningError as error:
        return render(
            request, "participation/invitation_link.html", {"message": error.message}, status=410
        )
    anonymous = not request.user.is_authenticated
    form = AccountForm(
        request.POST if request.method == "POST" and anonymous else None,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and (not anonymous or form.is_valid()):
        try:
            if anonymous:
                data = form.cleaned_data
                user = services.invitation_link_signup(
                    token=token,
                    name=data["name"],
                    email=data["email"],
                    password=data["password"],
                    language=data["language"] or request.LANGUAGE_CODE,
                )
                login(request, user, backend=LOGIN_BACKEND)
            else:
                services.invitation_link_accept(token=token, user=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error("password", error)
        except services.JoiningError as error:
            return render(
                request,
                "participation/invitation_link.html",
                {"message": error.message},
                status=410,
            )
        else:
            messages.success(
                request,
                _("Welcome to %(programme)s: you take part for %(organisation)s as %(level)s.")
                % {
                    "programme": link.programme.name,
                    "organisation": link.organisation.name,
                    "level": link.get_level_display(),
                },
            )
            if anonymous:
                messages.info(
                    request,
                    _("We sent a link to %(email)s: open it to confirm your address.")
                    % {"email": request.user.email},
                )
            return redirect(link.programme.get_absolute_url())
    return render(
        request,
        "participation/invitation_link.html",
        {"link": link, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    try:
        found = services.invitation_usable(token)
    except services.JoiningError as error:
        return render(request, "participation/invitation.html", {"message": error.message})
    if not request.user.is_authenticated and found.organisation is not None:
        return _invitation_signup(request, token, found)
    organisations = selectors.organisations_of(request.user)
    form = AcceptInvitationForm(request.POST or None, organisations=organisations)
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and (found.organisation is not None or form.is_valid())
    ):
        try:
            services.invitation_accept(
                token=token,
                user=request.user,
                organisation=form.cleaned_data.get("organisation")
                if found.organisation is None
                else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.JoiningError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Welcome to %(programme)s.") % {"programme": found.programme.name}
            )
            return redirect(found.programme.get_absolute_url())
    return render(
        request,
        "participation/invitation.html",
        {"invitation": found, "form": form},
    )


def _invitation_signup(request, token, found):
    """An invitation by e-mail that names the organisation: sign up on its page and take part."""
    form = InvitedAccountForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_signup(
                token=token,
                name=data["name"],
                password=data["password"],
                language=data["language"] or request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error("password", error)
        except services.JoiningError as error:
            return render(request, "participation/invitation.html", {"message": error.message})
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request, _("Welcome to %(programme)s.") % {"programme": found.programme.name}
            )
            return redirect(found.programme.get_absolute_url())
    return render(
        request,
        "participation/invitation.html",
        {"invitation": found, "signup_form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Notifications and preferences ---


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    items = [
        {
            "notification": n,
            "url": reverse("participation:notification_open", args=[n.pk]),
            "verb": event_kind(n.kind).verb,
        }
        for n in page
    ]
    return render(
        request,
        "participation/notifications.html",
        {
            "page": page,
            "items": items,
            "affiliations_waiting": selectors.affiliation_requests_for(request.user).count(),
        },
    )


@login_required
def notification_open(request, pk):
    """Mark read and go straight to the change (its diff)."""
    found = selectors.notifications_of(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such notification."))
    services.notifications_mark_read(user=request.user, ids=[found.pk])
    return redirect(notification_url(found))


@login_required
@require_POST
def notifications_read(request):
    ids = ids_from(request.POST.getlist("id")) or None
    services.notifications_mark_read(user=request.user, ids=ids)
    return redirect("participation:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    profile = notifications.profile_of(request.user)
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            user=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("participation:preferences")
    return render(request, "participation/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The person's API tokens: create one (its secret is shown on this answer only) and see
    when each was last used."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            created = {"token": token, "plaintext": plaintext}
            form = ApiTokenForm()
    response = render(
        request,
        "participation/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": permissions.api_tokens_of(request.user).order_by("-created"),
            "api_docs": reverse("api_v1:openapi-view"),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request, pk):
    services.api_token_revoke(user=request.user, token_id=pk)
    messages.success(request, _("The token is revoked; requests with it are refused from now on."))
    return redirect("participation:api_tokens")


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts without a session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    from .emails import PREFERENCE_LABELS, unsubscribe_read

    try:
        _user_id, preference = unsubscribe_read(token)
    except Exception:
        return render(
            request,
            "participation/unsubscribe.html",
            {"message": _("This unsubscribe link is not valid.")},
            status=400,
        )
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(
            request,
            "participation/unsubscribe.html",
            {"done": True, "label": PREFERENCE_LABELS[preference]},
        )
    return render(
        request,
        "participation/unsubscribe.html",
        {"label": PREFERENCE_LABELS[preference]},
    )


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice in a logged-in person's
    profile."""
    from django.views.i18n import set_language as django_set_language

    services.profile_set_language(user=request.user, language=request.POST.get("language", ""))
    return django_set_language(request)
