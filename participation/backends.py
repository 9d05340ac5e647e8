"""How a password log-in finds its account, for every log-in form (Stip's, the Wagtail admin's,
Django's admin) and django-allauth alike: they all call Django's `authenticate`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .prepared import PreparedQuery
from .selectors import account_for_login

# Who is logged in, on every request of a logged-in person: built once (participation.prepared).
_user_by_id = PreparedQuery(
    lambda user_id: get_user_model()._default_manager.filter(pk=user_id), kinds=(int,)
)


class UsernameOrEmailBackend(ModelBackend):
    """A person logs in with their user name or their e-mail address: people who signed up
    themselves know the address, the demo's and the admin's accounts a short name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = account_for_login(username)
        if user is None:
            # As ModelBackend does: hash once anyway, so a wrong name costs as long as a wrong
            # password and does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """As ModelBackend's, without building the query each time."""
        if type(user_id) is not int:
            return super().get_user(user_id)
        found = _user_by_id.all(user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None


def throttled_username(request, credentials: dict | None = None) -> str:
    """What django-axes counts failed log-ins against: the account's user name when the typed
    name or address finds one, so failures by name and by address lock the same account."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = request.POST.get("username") if request is not None else None
    user = account_for_login(typed or "")
    return user.get_username() if user is not None else (typed or "")
