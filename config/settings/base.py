"""Settings shared by every environment. The others override only what they must.

Every variable read here is listed, with a comment, in `.env.example`.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

from config.addresses import DEFAULT_BIND, url_of

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The address people use to reach Stip, for links in e-mails. Unset (development), it is the
# address gunicorn is served on (STIP_BIND), so links point where the server runs.
SITE_URL = env("SITE_URL", default=url_of(env("STIP_BIND", default=DEFAULT_BIND)))
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=sorted({"127.0.0.1", "localhost", urlsplit(SITE_URL).hostname or "localhost"}),
)

INSTALLED_APPS = [
    "participation",
    "wiki",
    "usecases",
    "timeboxes",
    "stakes",
    "workspace",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.api.v3",  # only for its admin of API tokens (Settings → API tokens)
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "reversion",
    "ninja",
    "axes",
    "csp",
    # Log-in: passwords (Django's views), single sign-on (OpenID Connect, SAML 2.0) and
    # two-factor codes, through django-allauth (docs/sso.md, docs/decisions/sso-allauth.md).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "participation.middleware.LoginMethodMiddleware",
    "participation.middleware.SingleSignOnFailureMiddleware",
    "participation.middleware.ProfileLanguageMiddleware",
    "config.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.csp.StipCSPMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "participation.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each gunicorn worker keeps its database connection between requests (opening one, and the
# new server process warming its catalogue, cost more than the queries of a page); a connection
# that broke is noticed before a request uses it and replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL prepares the hot reads of participation.prepared (planned once per connection).
# Off behind a pooler that shares server connections between transactions (PgBouncer's
# transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # Redis unreachable is a miss, logged, never an error (config/cache.py); a lookup waits at
    # most half a second for it.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "stip",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions in the database, read through the cache: no query per request for them, and the
# database alone when the cache is down (participation/sessions.py).
SESSION_ENGINE = "participation.sessions"

# Who else is here (wiki/live.py): presence with a time-to-live, which every web process must
# see alike. In Redis when there is one, with short timeouts so that a Redis that hangs makes
# the live parts quiet rather than holding a web worker; otherwise in a table of the database
# (made by wiki's migrations), so the embedded default needs no server for it either.
STIP_LIVE_CACHE_TABLE = "stip_live_cache"
CACHES["live"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "stip-live",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": STIP_LIVE_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses log-ins of locked accounts and addresses
    # A user name or an e-mail address, on every log-in form (participation/backends.py).
    "participation.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.vendor.VendorFinder",
]
# Browser libraries pinned in package.json, served as our own static files (config/vendor.py):
# static path → file below node_modules/.
STIP_VENDOR_FILES = {"vendor/mermaid/mermaid.min.js": "mermaid/dist/mermaid.min.js"}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Documents' attachments are kept apart from the media files, outside MEDIA_ROOT: they have no
# public address and are only handed out by the permission-checked download view.
ATTACHMENTS_ROOT = env.path("STIP_ATTACHMENTS_ROOT", default=VAR_DIR / "attachments")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ATTACHMENTS_ROOT, "base_url": None},
    },
}

EMAIL_FILE_PATH = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Stip <stip@localhost>")
# Seconds an SMTP connection may wait for the server before the message is tried again later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Celery: Redis when REDIS_URL is set, otherwise a broker on the file system that needs no server.
# The file system broker names a host as every broker URL does (kombu warns without one).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # How often the worker looks for a message (kombu's default, 1 s, delays every task).
        "polling_interval": 0.1,
    }
    # kombu's file system transport that stops as soon as the worker does (see the module).
    CELERY_BROKER_TRANSPORT = "config.celery_broker:Transport"
else:
    # A request that enqueues must not wait for a broker that is down: one quick retry at most
    # (the outbox sweeper delivers what could not be enqueued). A connection whose broker went
    # away without closing it is noticed within seconds (timeouts, keepalive, health checks).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 10,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
# The worker survives a broker outage and resumes by itself (decisions/outbox-notifications.md):
# it keeps trying to reconnect, at start-up too, for as long as it takes. It holds no message
# while it waits: tasks are acknowledged when they start (not late) and nothing is scheduled
# with a countdown or eta (the outbox and the beat sweepers hold what waits, in the database).
# kombu's Redis transport fails to restore messages held unacknowledged when the connection
# drops, and the worker then stops. Every task is idempotent and swept again by beat, so a task
# lost with a worker that died mid-task is done by the next sweep.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # Celery 6's default
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
from celery.schedules import crontab as _crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {
    # Timeboxes: open, remind, freeze and auto-close what is due (deadlines live in the database).
    "timeboxes-sweep": {"task": "timeboxes.tasks.timeboxes_sweep_task", "schedule": 60.0},
    # Baseline exports whose build was never enqueued or whose worker died: build them again.
    "timeboxes-exports-sweep": {
        "task": "timeboxes.tasks.baseline_exports_sweep_task",
        "schedule": 60.0,
    },
    # Attachment files no attachment refers to (an upload rolled back after storing): removed.
    "wiki-attachments-orphans": {
        "task": "wiki.tasks.attachments_orphans_remove_task",
        "schedule": 3600.0,
    },
    # Proposals: remind the organisations that have not answered, decide at the deadline.
    "stakes-sweep": {"task": "stakes.tasks.proposals_sweep_task", "schedule": 60.0},
    # Notifications: the outbox sweeper (events still pending, instant e-mail due) and digests.
    "participation-outbox-sweep": {"task": "participation.outbox_sweep", "schedule": 60.0},
    "participation-daily-digest": {
        "task": "participation.digest_send",
        "schedule": _crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    # The mail outbox: sent messages and long-failed ones deleted (STIP_MAIL_KEEP_DAYS).
    "participation-mail-prune": {
        "task": "participation.mail_prune",
        "schedule": _crontab(hour=3, minute=30),
    },
    "participation-weekly-digest": {
        "task": "participation.digest_send",
        "schedule": _crontab(day_of_week="monday", hour=7, minute=0),
        "args": ("weekly",),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)

# Django tasks (Wagtail's search indexing): in-process, after the transaction commits.
TASKS = {"default": {"BACKEND": "config.tasks.OnCommitImmediateBackend"}}

WAGTAIL_SITE_NAME = "Stip"
WAGTAILADMIN_USER_LOGIN_FORM = "participation.login_forms.WagtailAdminLoginForm"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# The longest text (a document's markdown) Stip takes, in characters: the site's editor, its
# forms and the API share this one limit.
STIP_MAX_TEXT_LENGTH = env.int("STIP_MAX_TEXT_LENGTH", default=500_000)
# A request may carry a text of that length in the most long-winded encoding a form or JSON
# uses (12 bytes a character: an emoji sent as %F0%9F%98%80, or as two \u escapes), and 1 MiB
# besides for the rest of the form. So a text that is too long is refused by the form, which
# shows it again; only a larger request is refused unread, with 413 (config/views.py).
# File uploads are not counted (Django streams them to disk).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * STIP_MAX_TEXT_LENGTH + 2**20

# Attachments of documents (wiki.attachments): the largest file, the most one programme keeps
# (every version's files count), and the types taken, judged from the content. Pictures are
# shown in pages; every other type is only offered as a download.
STIP_ATTACHMENT_MAX_BYTES = env.int("STIP_ATTACHMENT_MAX_BYTES", default=10 * 2**20)
STIP_PROGRAMME_ATTACHMENTS_MAX_BYTES = env.int(
    "STIP_PROGRAMME_ATTACHMENTS_MAX_BYTES", default=1024 * 2**20
)
STIP_ATTACHMENT_TYPES = env.list(
    "STIP_ATTACHMENT_TYPES",
    default=[
        "image/png",
        "image/jpeg",
        "image/webp",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "text/plain",
        "image/svg+xml",
    ],
)
# Behind nginx: the download view checks permission and answers with X-Accel-Redirect to this
# internal location (followed by the file's path in the attachments storage), so nginx sends
# the file. Empty: Django streams it.
STIP_ATTACHMENTS_ACCEL_PREFIX = env("STIP_ATTACHMENTS_ACCEL_PREFIX", default="")
STIP_ATTACHMENTS_ORPHAN_HOURS = env.float("STIP_ATTACHMENTS_ORPHAN_HOURS", default=24)
# The exports' process diagrams are drawn by a headless Chromium (wiki/drawing.py); None: the
# first one on the PATH, "": none (the source is shown).
STIP_DIAGRAM_BROWSER = env("STIP_DIAGRAM_BROWSER", default=None)
STIP_DIAGRAM_TIMEOUT_SECONDS = env.float("STIP_DIAGRAM_TIMEOUT_SECONDS", default=60)
STIP_DIAGRAM_BROWSER_SANDBOX = env.bool("STIP_DIAGRAM_BROWSER_SANDBOX", default=True)

STIP_HISTORY_PAGE_SIZE = 50
STIP_DIFF_TIMEOUT_SECONDS = 1.0
# Presence and word of a save (wiki/live.py): how often an open page asks (and says it is still
# open), and after how long without a word a person counts as gone. 0 turns the live parts off.
STIP_LIVE_INTERVAL_SECONDS = env.float("STIP_LIVE_INTERVAL_SECONDS", default=1.0)
STIP_LIVE_TTL_SECONDS = 30
# Edits of one document by one person within this many seconds become one notification.
STIP_NOTIFICATION_COALESCE_SECONDS = env.int("STIP_NOTIFICATION_COALESCE_SECONDS", default=120)
# An e-mail that meets a passing fault (4xx, no connection) is tried again after these many
# seconds, one wait per further attempt; then it is marked failed (participation.mail).
STIP_MAIL_RETRY_AFTER = env.list("STIP_MAIL_RETRY_AFTER", cast=int, default=[60, 300, 1800, 7200])
# The outbox keeps a sent e-mail this many days, a failed one this many days after its last
# attempt (0: until an admin retries it and it is sent); beat prunes daily (participation.mail).
STIP_MAIL_KEEP_DAYS = env.int("STIP_MAIL_KEEP_DAYS", default=30)
STIP_MAIL_KEEP_FAILED_DAYS = env.int("STIP_MAIL_KEEP_FAILED_DAYS", default=180)
STIP_INVITATION_DAYS = 14

# Content-Security-Policy (django-csp): no inline script, no eval, no plugins on our pages.
# The admin sites get inline script and style on top (config/csp.py; docs/decisions/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],  # text-align on markdown table cells
        "img-src": ["'self'", "https:", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
STIP_CSP_ADMIN_PREFIXES = ["/admin/", "/django-admin/"]
# Origins forms may lead to besides Stip and the configured identity providers (an identity
# provider whose log-in or log-out endpoint is not on the origin of its issuer or metadata).
STIP_CSP_FORM_ACTION_EXTRA = env.list("STIP_CSP_FORM_ACTION_EXTRA", default=[])
STIP_CSP_ADMIN_UPDATE = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
    "frame-src": ["'self'", "https:"],
}

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failed log-ins for one account, or
# from one address, further attempts are refused for AXES_COOLOFF_TIME hours (or until an admin
# deletes the access attempt in /django-admin/axes/). The page: registration/locked_out.html.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Failures by user name and by e-mail address count against the same account.
AXES_USERNAME_CALLABLE = "participation.backends.throttled_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# --- Single sign-on and two-factor log-in (django-allauth; docs/sso.md) ---
# Password log-in stays Django's own view (registration/login.html) and sign-up stays Stip's;
# allauth adds the identity providers, the two-factor step and the pages to manage them.
ACCOUNT_ADAPTER = "participation.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "participation.sso.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # Stip's sign-up confirms addresses itself
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # only on confirmed addresses: participation/sso.py
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUEST_TIMEOUT", default=5)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Stip")
MFA_RECOVERY_CODE_COUNT = 10
# Identity providers from the environment (more can be added in /django-admin/ as social
# applications): participation/sso_settings.py reads the SSO_* variables of .env.example.
from participation.sso_settings import providers_from_environment  # noqa: E402

SOCIALACCOUNT_PROVIDERS = providers_from_environment(env)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "stip": {
            "handlers": ["console"],
            "level": env("STIP_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}
