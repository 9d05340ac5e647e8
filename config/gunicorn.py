"""Gunicorn settings, read from the environment so that `make run` and docker-compose run the
very same command: `gunicorn --config python:config.gunicorn config.wsgi`.

STIP_BIND        address to listen on (127.0.0.1:8000; docker-compose uses 0.0.0.0:8000), also
                 read from .env; in development links in e-mails follow it
WEB_CONCURRENCY  worker processes (2)
GUNICORN_RELOAD  restart workers when code changes (make run turns it on)
"""

import os

from config.addresses import bind_address

bind = bind_address()
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
reload = os.environ.get("GUNICORN_RELOAD", "").lower() in {"1", "true", "yes", "on"}
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl), so two
# servers on one machine (make run beside the tests or the benchmark) would take it from each
# other. Stip does not use gunicornc; leave it off.
control_socket_disable = True
