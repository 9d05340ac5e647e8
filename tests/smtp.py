"""A real SMTP server on loopback for the tests (and the benchmark) that are about e-mail."""

import socket


def smtp_server_start(handler):
    """Start aiosmtpd with `handler` in a thread on a free port; returns (controller, port).
    The caller stops it with `controller.stop()`."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
