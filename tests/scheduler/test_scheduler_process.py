"""`flask scheduler run` as its own process stops cleanly on SIGTERM (systemd, Kubernetes) as on
Ctrl-C: it logs that it stopped and exits 0."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from app.config import ROOT

STARTED, STOPPED = "scheduler started", "scheduler stopped"
GUARD_SECONDS = 60  # only so that a broken scheduler cannot hang the suite


def _read_until(proc: subprocess.Popen, text: str) -> str:
    """The process's output up to the line holding `text` (or to its end). Lines are read by a
    thread: a selector on the pipe misses a line that came in the same read as the one before
    (it waits in the file object's buffer, not in the pipe), and the wait ran to the guard."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line)
            if text in line:
                return
        lines.put("")  # end of output

    threading.Thread(target=pump, daemon=True).start()
    seen, deadline = [], time.monotonic() + GUARD_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if not line:
            break
        seen.append(line)
        if text in line:
            break
    return "".join(seen)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A database of its own (no lock the suite holds can stall its pass), migrated."""
    url = f"sqlite:///{tmp_path_factory.mktemp('scheduler') / 'db.sqlite3'}"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url,
           "SCHEDULER_SAFETY_SECONDS": "3600", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_DEBUG", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=GUARD_SECONDS)
    return env


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_scheduler_run_stops_cleanly(env, signum):
    proc = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        before = _read_until(proc, STARTED)
        assert STARTED in before, before
        proc.send_signal(signum)
        after, _ = proc.communicate(timeout=GUARD_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, before + after
    assert STOPPED in after and "Traceback" not in after, after
