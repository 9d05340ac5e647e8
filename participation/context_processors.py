from . import selectors


def notifications(request) -> dict:
    """`unread_notifications` for the header: a lazy count, queried only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": lambda: selectors.unread_count(user)}
