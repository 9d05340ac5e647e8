from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The live server's threads and the test share this process, hence one local memory.
    "live": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "live"},
}
# Tests that are about Celery start a real worker; the rest run tasks in-process.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LANGUAGE_CODE = "en"
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_URL = "http://testserver"
# django-axes refuses `Client.login()` (it passes no request); the throttling tests turn it on.
AXES_ENABLED = False
# Tests inside a rolled-back transaction never commit: index at once, so search tests see it.
# tests/reliability use the real backend (config.tasks.OnCommitImmediateBackend).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Threads of the live server and the concurrency tests close their connections after each
# request, so the test database can be dropped at the end (kept connections block that).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Attachments the tests store go below var/, never into a deployment's folder.
ATTACHMENTS_ROOT = VAR_DIR / "test-attachments"  # noqa: F405
STORAGES["attachments"]["OPTIONS"]["location"] = ATTACHMENTS_ROOT  # noqa: F405
