"""Sessions kept in the database and read through the cache (`SESSION_ENGINE`).

Django's `cached_db` engine, so that a page costs no session query while the cache holds the
session, with one difference: the cache may fail. A cache that does not answer makes every
session operation use the database alone (as the `db` engine does), never an error page and
never a lost log-in; the database stays the record, so nothing is lost when the cache empties.

A session stays in the cache for an hour at most (`CACHE_SECONDS`): a log-out while the cache
could not be reached leaves a copy there that no one can remove, and it must not outlive that.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger("stip.sessions")
CACHE_SECONDS = 60 * 60


class SessionStore(cached_db.SessionStore):
    def _cache_set(self, value, timeout) -> None:
        try:
            self._cache.set(self.cache_key, value, min(timeout, CACHE_SECONDS))
        except Exception:  # noqa: BLE001 - a cache outage: the database has the session
            logger.warning("Session cache unavailable (set)", exc_info=True)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - an outage, or a key the cache refuses: a miss
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unavailable (exists)", exc_info=True)
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001 - an outage: the cached copy expires with the session
            logger.warning("Session cache unavailable (delete)", exc_info=True)
