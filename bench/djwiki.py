"""django-wiki, our nearest peer, set up at run time under var/bench/djwiki/.

Nothing of django-wiki is committed: bench/run.py installs the PyPI package `wiki` into its own
virtual environment and this module writes a minimal Django project around it (the settings
django-wiki's documentation asks for, the core wiki without plugins), plus a seeding script that
builds the same content Stip gets.

Like for like with Stip (bench/README.md lists it): the same persistent database connections
(`CONN_MAX_AGE` 600 s with health checks, and Stip's connection `OPTIONS`), the same Redis cache
(its own key prefix) and session engine, the locale middleware (Stip picks the language per
request too), and the edit throttles raised so that four editors saving for the whole run are
not refused as spam.
"""

from pathlib import Path

PIP_REQUIREMENTS = [
    "wiki==0.13.0",
    "Django==5.2.19",
    "psycopg[binary]==3.3.9",
    "gunicorn==27.0.1",
    "redis==8.1.0",
]

SETTINGS = """
import json
import os
from urllib.parse import urlparse

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "djwiki_site.urls"
WSGI_APPLICATION = "djwiki_site.wsgi.application"
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.humanize.apps.HumanizeConfig",
    "django.contrib.auth.apps.AuthConfig",
    "django.contrib.contenttypes.apps.ContentTypesConfig",
    "django.contrib.sessions.apps.SessionsConfig",
    "django.contrib.sites.apps.SitesConfig",
    "django.contrib.messages.apps.MessagesConfig",
    "django.contrib.staticfiles.apps.StaticFilesConfig",
    "django.contrib.admin.apps.AdminConfig",
    "django_nyt.apps.DjangoNytConfig",
    "mptt",
    "sekizai",
    "sorl.thumbnail",
    "wiki.apps.WikiConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.template.context_processors.tz",
                "django.contrib.messages.context_processors.messages",
                "sekizai.context_processors.sekizai",
            ],
        },
    },
]
_db = urlparse(os.environ["DATABASE_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "postgres",
        "HOST": _db.hostname or "127.0.0.1",
        "PORT": _db.port or 5432,
        # As Stip keeps them (config/settings/base.py).
        "CONN_MAX_AGE": int(os.environ.get("BENCH_CONN_MAX_AGE", "600")),
        "CONN_HEALTH_CHECKS": True,
        # Stip's connection OPTIONS, given by run.py.
        "OPTIONS": json.loads(os.environ.get("BENCH_DB_OPTIONS", "{}")),
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "djwiki",
    }
}
SESSION_ENGINE = os.environ["BENCH_SESSION_ENGINE"]  # Stip's, passed by bench/run.py
LANGUAGE_CODE = "en"
USE_I18N = True
# django-wiki refuses more than 5 edits per 2 minutes and 60 an hour from one person as spam;
# the bench's editors save continuously, so the limits are out of the way (Stip has none).
WIKI_REVISIONS_PER_HOUR = 10_000_000
WIKI_REVISIONS_PER_MINUTES = 10_000_000
WIKI_REVISIONS_PER_HOUR_ANONYMOUS = 10_000_000
WIKI_REVISIONS_PER_MINUTES_ANONYMOUS = 10_000_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_REDIRECT_URL = "/"
WIKI_ACCOUNT_HANDLING = True
WIKI_ACCOUNT_SIGNUP_ALLOWED = False
"""

URLS = """
from django.urls import include, path

urlpatterns = [
    path("notifications/", include("django_nyt.urls")),
    path("", include("wiki.urls")),
]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djwiki_site.settings")
application = get_wsgi_application()
"""

SEED = '''
"""Seed django-wiki with the content Stip gets; print what the load needs as JSON."""
import json
import os
import sys

sys.path[:0] = [os.path.dirname(__file__), os.environ["STIP_BENCH_DIR"]]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djwiki_site.settings")

import django

django.setup()

from django.contrib.auth.models import User
from django.test import Client
from wiki.models import ArticleRevision, URLPath

from content import document_text, edited

SAVERS = int(os.environ.get("SAVERS", "4"))
text = document_text()
reader = User.objects.create_user("bench-reader", "reader@example.org", "x")
editors = [
    User.objects.create_user(f"bench-editor-{n}", f"e{n}@example.org", "x")
    for n in range(SAVERS)
]
root = URLPath.create_root(title="Root", content="Root")
page = URLPath.create_urlpath(root, "shared-vision", title="Shared vision", content=text)
edit_paths = [
    URLPath.create_urlpath(root, f"edited-by-{n}", title=f"Edited by {n}", content=text)
    for n in range(SAVERS)
]
long = URLPath.create_urlpath(root, "long-history", title="Long history", content=text)
for n in range(1, 1000):
    long.article.add_revision(
        ArticleRevision(title="Long history", content=edited(text, n), user_message=f"edit {n}"),
        save=True,
    )


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


print(json.dumps({
    "reader_session": session_of(reader),
    "editor_sessions": [session_of(e) for e in editors],
    "page_url": "/shared-vision/",
    "edit_urls": [f"/edited-by-{n}/_edit/" for n in range(SAVERS)],
    "history_url": "/long-history/_history/",
    "versions_in_history": long.article.articlerevision_set.count(),
}))
'''


def write_project(directory: Path) -> None:
    site = directory / "djwiki_site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(SETTINGS)
    (site / "urls.py").write_text(URLS)
    (site / "wsgi.py").write_text(WSGI)
    (directory / "seed.py").write_text(SEED)
    (directory / "manage.py").write_text(
        "import os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'djwiki_site.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
