"""The address Stip is served on, shared by gunicorn's settings and Django's.

`STIP_BIND` (from the environment or `.env`) is where gunicorn listens. In development the
links Stip writes (e-mails, the sign-up confirmation included) follow it, so they point where
the server runs; in production `SITE_URL` names the public address.
"""

import os
import socket
from pathlib import Path

import environ

DEFAULT_BIND = "127.0.0.1:8000"
_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def bind_address() -> str:
    """What gunicorn binds to: STIP_BIND from the environment, else from `.env`."""
    if "STIP_BIND" not in os.environ and _ENV_FILE.exists():
        environ.Env.read_env(_ENV_FILE)
    return os.environ.get("STIP_BIND", DEFAULT_BIND).strip() or DEFAULT_BIND


def url_of(bind: str) -> str:
    """The address people open for a gunicorn bind such as `127.0.0.1:8000`, `:8080`,
    `0.0.0.0:8000` or `[::]:8000`. An address that listens on every interface is reached by
    the machine's name."""
    if bind.startswith("unix:"):
        return "http://localhost"
    host, _, port = bind.rpartition(":")
    if not host and port and not port.isdigit():
        host, port = port, ""
    host = host.strip("[]")
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (read, not bound)
        host = socket.gethostname() or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}" if port and port != "80" else f"http://{host}"
