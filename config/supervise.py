"""Runs the Procfile's processes together, as `make run` does: `python -m config.supervise`.

docker-compose runs the very same commands, one container each, and restarts them itself; this
is its small counterpart for one machine:

- each process writes to a log of its own (`var/log/<name>.log`); this terminal gets one line
  per event (started, exited, restarted, stopped);
- a process that exits is reported with the last lines of its log and started again, after a
  pause that grows while it keeps failing (1 s, 2 s, 4 s … 30 s);
- Ctrl-C (SIGINT) or SIGTERM stops them all: each is asked once, as its own supervisor would
  (SIGTERM: gunicorn and Celery finish what they are doing and exit), and whatever has not
  stopped after `--stop-timeout` seconds is killed. A second Ctrl-C kills at once. The exit
  code is then 0.

Each process runs in a process group of its own, so the terminal's Ctrl-C reaches only this
supervisor, which stops them in order (a Celery worker whose pool processes get the signal
directly reports them as lost), and on Linux each is told to stop when the supervisor dies.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESTART_DELAYS = (1, 2, 4, 8, 15, 30)
# A process that ran this long before it exited is started again without delay growing.
HEALTHY_SECONDS = 30


def read_procfile(path: Path) -> dict[str, str]:
    processes = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        processes[name.strip()] = command.strip()
    return processes


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux's prctl)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


@dataclass
class Process:
    name: str
    command: str
    log: Path
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    log_file: object = field(default=None, repr=False)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if self.log_file is None:
            self.log_file = self.log.open("ab", buffering=0)
        self.log_file.write(f"--- {time.strftime('%F %T')} starting: {self.command}\n".encode())
        self.popen = subprocess.Popen(  # noqa: S603 (the commands of our own Procfile)
            shlex.split(self.command),
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int, *, group: bool = False) -> None:
        if not self.running:
            return
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.popen.pid, signum)
            else:
                self.popen.send_signal(signum)

    def last_lines(self, count: int = 8) -> list[str]:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return lines[-count:]


class Supervisor:
    def __init__(self, processes: dict[str, str], log_dir: Path, stop_timeout: float) -> None:
        self.processes = [
            Process(name, command, log_dir / f"{name}.log") for name, command in processes.items()
        ]
        self.stop_timeout = stop_timeout
        self.stop_requested = 0

    def _on_signal(self, signum, frame) -> None:
        self.stop_requested += 1

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for process in self.processes:
            process.start()
            say(f"{process.name} started (pid {process.popen.pid}, log {process.log})")
        while not self.stop_requested:
            self._watch()
            time.sleep(0.2)
        return self.stop()

    def _watch(self) -> None:
        now = time.monotonic()
        for process in self.processes:
            if process.restart_at is not None:
                if now >= process.restart_at:
                    process.start()
                    say(f"{process.name} started again (pid {process.popen.pid})")
                continue
            code = process.popen.poll()
            if code is None:
                continue
            # What it left running in its group (pool workers of a killed Celery worker) goes.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            if now - process.started_at >= HEALTHY_SECONDS:
                process.failures = 0
            delay = RESTART_DELAYS[min(process.failures, len(RESTART_DELAYS) - 1)]
            process.failures += 1
            process.restart_at = now + delay
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            say(f"{process.name} {how}; starting it again in {delay} s. Its last lines:")
            for line in process.last_lines():
                print(f"    {line}", flush=True)

    def stop(self) -> int:
        names = ", ".join(p.name for p in self.processes)
        print(flush=True)
        say(f"Stopping {names}…")
        for process in self.processes:
            process.restart_at = None
            process.signal(signal.SIGTERM)
        asked = self.stop_requested
        deadline = time.monotonic() + self.stop_timeout
        while any(p.running for p in self.processes):
            if time.monotonic() >= deadline or self.stop_requested > asked:
                for process in self.processes:
                    if process.running:
                        say(f"{process.name} did not stop in time; killing it")
                        process.signal(signal.SIGKILL, group=True)
                break
            time.sleep(0.1)
        for process in self.processes:
            if process.popen is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.popen.wait(timeout=5)
            # Whatever a process left behind in its group (a gunicorn or pool worker) goes too.
            if process.popen is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
        say("Stopped.")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procfile", type=Path, default=ROOT / "Procfile")
    parser.add_argument("--log-dir", type=Path, default=ROOT / "var" / "log")
    parser.add_argument("--stop-timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    return Supervisor(read_procfile(args.procfile), args.log_dir, args.stop_timeout).run()


if __name__ == "__main__":
    sys.exit(main())
