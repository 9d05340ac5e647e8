"""The Celery broker on the file system (development without Redis), told when the worker stops.

Celery's loop for a broker without events to wait on (`celery.worker.loops.synloop`) asks the
broker for messages for 2 s at a time and, once asked to stop, asks once more before it does:
kombu's file system transport sleeps through both, so a Ctrl-C waited up to 4 s for nothing.
This transport asks for one polling interval at a time and gives up as soon as the worker is
stopping. With Redis (production) Celery waits on events and stops at once; this is not used.
"""

from __future__ import annotations

from time import monotonic

from kombu.transport import filesystem


def _worker_stopping() -> bool:
    from celery.worker import state

    # As Celery's own check (`state.maybe_shutdown`): an exit code, 0 included, once asked to.
    return any(
        flag is not None and flag is not False
        for flag in (state.should_stop, state.should_terminate)
    )


class Transport(filesystem.Transport):
    def drain_events(self, connection, timeout=None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            try:
                return super().drain_events(connection, timeout=self.polling_interval)
            except TimeoutError:
                if _worker_stopping() or (deadline is not None and monotonic() >= deadline):
                    raise
