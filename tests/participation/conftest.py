# The real Celery worker on real Redis (see tests/worker.py), for the tests that ask for it.
from tests.worker import celery_redis, celery_worker_redis  # noqa: F401
