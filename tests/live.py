"""Helpers for tests that run the real portal: subprocesses, services, an SMTP sink.

A plain module (not a conftest): `tests/test_browser.py` and `tests/test_worker_services.py`
import it. Everything here talks to 127.0.0.1 only.

- `Service` starts a command in its own process group with its output in a log file, and
  `stop()` ends the whole group (SIGTERM, then SIGKILL) and checks that nothing is left.
- `wait_for` polls with a deadline and says what it was waiting for when it gives up.
- `market_env` builds the MARKET_* variables every subprocess gets (nothing inherited from the
  developer's shell), `subprocess_env` the full environment.
- `SmtpSink` is an aiosmtpd server in this process that keeps every message it receives.
- `fresh_postgres_database` / `redis_db` give throwaway service state, or report the service
  as missing (a failure in CI, a skip elsewhere: see conftest.service_missing).
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

from tests.conftest import PG_ADMIN_URL, service_missing

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SECRET_KEY = "live-test-secret-key-0123456789-abcdefghijklmnop"
STOP_GRACE_SECONDS = 15.0
LEFTOVER_SECONDS = 5.0


# Waiting


def wait_for(
    check: Callable[[], object],
    *,
    timeout: float,
    what: str,
    interval: float = 0.25,
    diagnostics: Callable[[], str] | None = None,
):
    """Call `check` until it returns something truthy (returned); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = ""
            if diagnostics is not None:
                try:
                    detail = "\n" + diagnostics()
                except Exception as exc:  # noqa: BLE001 - diagnostics must not hide the timeout
                    detail = f"\n(diagnostics failed: {exc!r})"
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{detail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Environment


def venv_command(name: str) -> str:
    """The path of a console script installed in the project's virtualenv."""
    path = VENV_BIN / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: install the project with `bin/test` first")
    return str(path)


def market_env(
    tmp_path: Path,
    *,
    database_url: str,
    broker_url: str,
    mail_port: int | None = None,
    base_url: str | None = None,
) -> dict[str, str]:
    """The MARKET_* variables for a throwaway portal whose state lives under tmp_path."""
    env = {
        "MARKET_ENV": "development",
        "MARKET_DATABASE_URL": database_url,
        "MARKET_INDEX_DIR": str(tmp_path / "index"),
        "MARKET_BROKER_URL": broker_url,
        "MARKET_SECRET_KEY": SECRET_KEY,
        "MARKET_JIEBA_CACHE_DIR": str(tmp_path.parent / "jieba-cache"),
    }
    if mail_port is not None:
        env["MARKET_MAIL_SERVER"] = "127.0.0.1"
        env["MARKET_MAIL_PORT"] = str(mail_port)
    if base_url is not None:
        env["MARKET_BASE_URL"] = base_url
    return env


def subprocess_env(market: dict[str, str]) -> dict[str, str]:
    """This process's environment without any MARKET_* variable, plus `market`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env.update(market)
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_market(args: list[str], market: dict[str, str], cwd: Path, timeout: float = 120) -> str:
    """Run `market ARGS` (the project's CLI) and return its output; fail with its output."""
    command = [venv_command("market"), *args]
    try:
        done = subprocess.run(
            command,
            env=subprocess_env(market),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"`market {' '.join(args)}` did not finish within {timeout} s"
        ) from exc
    if done.returncode != 0:
        command = " ".join(args)
        raise AssertionError(
            f"`market {command}` exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


# Subprocesses


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in this process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


class Service:
    """A subprocess in its own process group; its stdout and stderr go to one log file."""

    def __init__(
        self, name: str, command: list[str], market: dict[str, str], cwd: Path, log_path: Path
    ):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            command,
            env=subprocess_env(market),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pgid = self.popen.pid  # a session leader leads its own process group
        self.stopped = False
        _running.append(self)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 60) -> str:
        return f"--- last lines of {self.name} log ({self.log_path}) ---\n" + "\n".join(
            self.log().splitlines()[-lines:]
        )

    def check_alive(self) -> None:
        code = self.popen.poll()
        if code is not None:
            raise AssertionError(f"{self.name} exited early with status {code}\n{self.tail()}")

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM the group, SIGKILL what is left after `grace` s; fail if anything survives."""
        if self.stopped:
            return
        self.stopped = True
        try:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + 2.0
            while _group_members(self.pgid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _group_members(self.pgid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pgid, signal.SIGKILL)
            try:
                self.popen.wait(timeout=LEFTOVER_SECONDS)
            except subprocess.TimeoutExpired as exc:
                raise AssertionError(
                    f"{self.name} (pid {self.popen.pid}) survived SIGKILL for {LEFTOVER_SECONDS} s"
                ) from exc
            deadline = time.monotonic() + LEFTOVER_SECONDS
            while (left := _group_members(self.pgid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            if left:
                raise AssertionError(
                    f"{self.name}: processes {left} of group {self.pgid} still alive after SIGKILL"
                )
        finally:
            self._log.close()
            with contextlib.suppress(ValueError):
                _running.remove(self)


_running: list[Service] = []


@atexit.register
def _stop_forgotten_services() -> None:
    """Last resort if a fixture never reached its teardown: leave no process behind."""
    for service in list(_running):
        with contextlib.suppress(Exception):
            service.stop(grace=5.0)


def launch_worker(tmp_path: Path, market: dict[str, str], name: str = "worker") -> Service:
    """A Celery worker as in Procfile.dev (queues celery,indexer, prefork, concurrency 1).

    Mingle and gossip are off: they only talk to other workers, and another test run may share
    this Redis server. Returns at once: call `wait_worker_ready`.
    """
    command = [
        venv_command("celery"),
        "-A",
        "worker.app",
        "worker",
        "--queues",
        "celery,indexer",
        "--concurrency",
        "1",
        "--pool",
        "prefork",
        "--loglevel",
        "INFO",
        "--hostname",
        f"{name}-{uuid.uuid4().hex[:8]}@%h",
        "--without-mingle",
        "--without-gossip",
    ]
    return Service(name, command, market, cwd=tmp_path, log_path=tmp_path / f"{name}.log")


def wait_worker_ready(worker: Service, timeout: float = 60) -> None:
    wait_for(
        lambda: worker.check_alive() or " ready." in worker.log(),
        timeout=timeout,
        what=f"the Celery {worker.name} to report ready",
        diagnostics=worker.tail,
    )


def start_worker(tmp_path: Path, market: dict[str, str], name: str = "worker") -> Service:
    """Launch a worker and wait until it consumes; stop it again if it never gets there."""
    worker = launch_worker(tmp_path, market, name)
    try:
        wait_worker_ready(worker)
    except BaseException:
        worker.stop()
        raise
    return worker


def wait_tasks_succeeded(worker: Service, task_ids: list[str], timeout: float) -> None:
    """Wait until the worker logged each of these tasks as succeeded; fail on an error."""

    def done() -> bool:
        worker.check_alive()
        log = worker.log()
        for task_id in task_ids:
            if f"[{task_id}] raised" in log or f"[{task_id}] retry" in log:
                raise AssertionError(f"task {task_id} failed in the worker\n{worker.tail(120)}")
        return all(f"[{task_id}] succeeded" in log for task_id in task_ids)

    wait_for(
        done,
        timeout=timeout,
        what=f"the worker to finish tasks {task_ids}",
        diagnostics=worker.tail,
    )


def launch_web(tmp_path: Path, market: dict[str, str], port: int) -> Service:
    """The portal under gunicorn (one sync worker) on 127.0.0.1:port; see `wait_web_ready`."""
    command = [
        venv_command("gunicorn"),
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        "market:create_app()",
    ]
    return Service("gunicorn", command, market, cwd=tmp_path, log_path=tmp_path / "gunicorn.log")


def wait_web_ready(web: Service, port: int, timeout: float = 60) -> None:
    def healthy() -> bool:
        web.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    wait_for(
        healthy,
        timeout=timeout,
        interval=0.2,
        what=f"gunicorn to answer on 127.0.0.1:{port}/healthz",
        diagnostics=web.tail,
    )


# Services


def redis_db(url: str):
    """A client for this Redis database, flushed; the service reported missing if unreachable."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_missing(f"Redis at {url}", exc)
    client.flushdb()
    return client


def broker_is_idle(client, queues: tuple[str, ...] = ("celery", "indexer")) -> bool:
    """No message waiting in these queues and none delivered but unacknowledged."""
    return all(client.llen(q) == 0 for q in queues) and client.hlen("unacked") == 0


@contextlib.contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database; yield its SQLAlchemy URL; drop it afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        service_missing(f"PostgreSQL ({PG_ADMIN_URL})", exc)
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Collector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], bytes, EmailMessage]] = []
        self.refuse = 0  # answer this many messages with a temporary failure first

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), raw, message))
        return "250 OK"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 in this process, keeping what it receives."""

    def __init__(self) -> None:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:
            service_missing("aiosmtpd (pip install -e '.[test]')", exc)
        self.port = free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[tuple[list[str], bytes, EmailMessage]]:
        with self._collector.lock:
            return list(self._collector.messages)

    def count(self) -> int:
        return len(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to one recipient."""
        return [m for rcpts, _raw, m in self.messages if address in rcpts]

    def refuse_next(self, count: int) -> None:
        """Answer the next `count` messages with 451 (a temporary failure)."""
        with self._collector.lock:
            self._collector.refuse = count

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# Failure injection (tests/test_delivery_failures.py): a private Redis to kill or hang, a mail
# server that holds a delivery mid-conversation, beat, and an abrupt SIGKILL.


def launch_beat(tmp_path: Path, market: dict[str, str], name: str = "beat") -> Service:
    """Celery beat (the relay, stale-email requeue, digests) with its schedule file in tmp_path."""
    command = [
        venv_command("celery"),
        "-A",
        "worker.app",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(tmp_path / f"{name}-schedule"),
    ]
    return Service(name, command, market, cwd=tmp_path, log_path=tmp_path / f"{name}.log")


def kill_now(service: Service) -> None:
    """SIGKILL the service's whole process group at once (no warm or cold shutdown)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.pgid, signal.SIGKILL)
    service.popen.wait(timeout=LEFTOVER_SECONDS)
    service.stop()  # closes the log; checks that nothing of the group is left


class RedisServer:
    """A redis-server of this test's own on a free port: kill it, hang it, start it again on
    the same port. Never the shared server: stopping that would break everyone else's tests."""

    def __init__(self, tmp_path: Path, port: int | None = None) -> None:
        self.tmp_path = tmp_path
        self.port = port or free_port()
        self.service: Service | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.starts += 1
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.tmp_path),
        ]
        log_path = self.tmp_path / f"redis-{self.starts}.log"
        self.service = Service("redis-server", command, {}, cwd=self.tmp_path, log_path=log_path)
        wait_for(self.ping, timeout=15, what=f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        """Stop it dead: connections reset, new ones refused."""
        if self.service is not None:
            kill_now(self.service)
            self.service = None

    def hang(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing ever answers."""
        os.killpg(self.service.pgid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.service.pgid, signal.SIGCONT)

    def stop(self) -> None:
        if self.service is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.service.pgid, signal.SIGCONT)
            self.service.stop()
            self.service = None


class _HoldingCollector(_Collector):
    """A collector that can hold a delivery: at RCPT (before DATA, so nothing is accepted yet)
    or after DATA is received and kept but before the final 250 (the at-least-once window)."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_at: str | None = None  # "rcpt" or "data"
        self.held = 0  # conversations waiting right now
        self.released = threading.Event()

    async def _wait(self) -> None:
        import asyncio

        with self.lock:
            self.held += 1
        try:
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        finally:
            with self.lock:
                self.held -= 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.hold_at == "rcpt":
            await self._wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        if self.hold_at == "data" and reply.startswith("250"):
            await self._wait()
        return reply


class HoldingSmtpSink(SmtpSink):
    """An SmtpSink whose conversations can be held mid-way (see _HoldingCollector)."""

    def __init__(self) -> None:
        super().__init__()
        from aiosmtpd.controller import Controller

        self._collector = _HoldingCollector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def hold(self, at: str) -> None:
        """Hold every conversation from now on at "rcpt" or "data", until release()."""
        self._collector.released.clear()
        self._collector.hold_at = at

    def release(self) -> None:
        self._collector.hold_at = None
        self._collector.released.set()

    def held(self) -> int:
        with self._collector.lock:
            return self._collector.held

    def stop(self) -> None:
        self.release()
        super().stop()
