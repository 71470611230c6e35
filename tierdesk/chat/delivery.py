"""Real-time chat delivery by long-poll: a browser asks "anything after message N?" and
the answer waits until there is, or until a short timeout.

Why long-poll and not SSE or WebSockets (measured, benchmarks/RESULTS.md "Live chat"):
``tierdesk serve`` is gunicorn without a broker; a stream would hold a worker for the
whole chat, and WebSockets need an ASGI server and, across processes, a channel layer.
A long-poll is a plain request that ends within ``MAX_WAIT`` seconds, answers the moment
a message lands, and works through any proxy.

One watcher thread per process does the waiting for every open long-poll of that
process, so 100 open chats cost one small query per tick, not 100. It learns that a
session moved in three ways, the fastest first:

- a *doorbell*: right after a line commits, the posting process sends a datagram
  ``"<session> <last id> <state>"`` to every process on this machine that has a
  watcher (Unix sockets in a directory next to the SQLite database, or in the data
  directory on PostgreSQL). Processes sharing one SQLite file are always on one machine,
  so on the default set-up every post rings at once, without a query or a broker;
- with ``TIERDESK_CHAT_REDIS_URL`` (or a ``redis://`` broker): the same message is
  published on Redis, for processes on other machines;
- and every ``POLL_SECONDS`` it reads ``(id, last_message_id, state)`` of the sessions
  somebody waits on from the database every process shares (a primary-key lookup), so a
  lost datagram or publish delays a line by one tick and never drops it.

A waiting request sleeps on its own ``threading.Event``, set only when its session
moves: a tick that finds nothing new wakes no request thread (with 12 chats waiting, the
former shared condition woke all 12 on every 20 ms tick).
"""

import contextlib
import hashlib
import logging
import os
import select
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

POLL_SECONDS = 0.02
MAX_WAIT = 20.0
CHANNEL_PREFIX = "tierdesk:chat:"
OPEN, ENDED = "open", "ended"
# A Unix socket path must fit in sun_path (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100


def doorbell_dir() -> Path | None:
    """Return where this machine's watchers listen: next to the SQLite file (every process
    sharing it is here), else in the data directory; None for an in-memory database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db.get("NAME") or "")
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        path = Path(name)
        return path.parent / f".{path.name}-chat"
    key = hashlib.sha1(f"{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}".encode())
    return Path(settings.DATA_DIR) / "chat-doorbell" / key.hexdigest()[:12]


def _decode(payload: bytes) -> tuple[int, int, str] | None:
    try:
        session_id, last, state = payload.decode().split()
        return int(session_id), int(last), state
    except (UnicodeDecodeError, ValueError):
        return None


class _Watcher:
    """Waits for sessions on behalf of request threads (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._someone_waits = threading.Condition(self._lock)
        self._waiting: dict[int, list[threading.Event]] = {}  # session -> its waiters
        self._seen: dict[int, tuple[int, str]] = {}  # session id -> (last id, state)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._redis_thread: threading.Thread | None = None
        self._bell: socket.socket | None = None

    def _ensure_threads(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if (self._thread is not None and self._thread.is_alive()
                    and self._pid == os.getpid()):
                return
            self._pid = os.getpid()  # a forked worker starts its own threads
            self._bell = _bind_doorbell()
            self._thread = threading.Thread(target=self._poll_loop, name="chat-watcher",
                                            daemon=True)
            self._thread.start()
            if redis_url():
                self._redis_thread = threading.Thread(target=self._redis_loop,
                                                      name="chat-redis", daemon=True)
                self._redis_thread.start()

    def wait(self, session_id: int, after: int, timeout: float) -> bool:
        """Block until the session has a message after ``after`` or has ended (True), or
        ``timeout`` passes (False)."""
        self._ensure_threads()
        deadline = time.monotonic() + timeout
        moved = threading.Event()
        with self._lock:
            self._waiting.setdefault(session_id, []).append(moved)
            self._someone_waits.notify()
        try:
            # A fresh reading after registering: nothing posted from here on is missed.
            self._read([session_id])
            while True:
                moved.clear()
                with self._lock:
                    seen = self._seen.get(session_id)
                if seen is not None and (seen[0] > after or seen[1] != OPEN):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                moved.wait(left)
        finally:
            with self._lock:
                waiters = self._waiting[session_id]
                waiters.remove(moved)
                if not waiters:
                    del self._waiting[session_id]
                    self._seen.pop(session_id, None)

    def _apply(self, session_id: int, last: int, state: str) -> None:
        """Record what a session is at and wake its waiters if that is news. Ids only
        grow and an ended chat stays ended, so an older reading never undoes a newer one
        (a datagram can overtake the database read it raced)."""
        with self._lock:
            waiters = self._waiting.get(session_id)
            if waiters is None:
                return
            old = self._seen.get(session_id)
            if old is not None:
                last = max(last, old[0])
                state = ENDED if ENDED in (state, old[1]) else state
            if old == (last, state):
                return
            self._seen[session_id] = (last, state)
            for moved in waiters:
                moved.set()

    def _read(self, ids: list[int]) -> None:
        from tierdesk.chat.models import ChatSession

        rows = list(ChatSession.objects.filter(pk__in=ids).values_list(
            "id", "last_message_id", "state"))
        for pk, last, state in rows:
            self._apply(pk, last, state)

    def _poll_loop(self) -> None:
        interval = POLL_SECONDS if not redis_url() else 1.0
        while True:
            with self._lock:
                while not self._waiting:
                    self._someone_waits.wait()
                ids = list(self._waiting)
            try:
                self._read(ids)
            except Exception:  # noqa: BLE001 - a dropped connection: retry after a pause
                log.warning("chat watcher could not read sessions", exc_info=True)
                self._drop_connection()
                time.sleep(1.0)
            self._listen(interval)

    def _listen(self, seconds: float) -> None:
        """Take doorbell datagrams for ``seconds`` (or just sleep without a doorbell)."""
        bell = self._bell
        if bell is None:
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([bell], [], [], left)[0]:
                return
            while True:
                try:
                    payload = bell.recv(128, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                except OSError:
                    return
                decoded = _decode(payload)
                if decoded is not None:
                    self._apply(*decoded)

    @staticmethod
    def _drop_connection() -> None:
        try:
            close_old_connections()
            connection.close()
        except Exception:  # noqa: BLE001 - the next read opens a fresh one
            pass

    def _redis_loop(self) -> None:
        import redis

        while True:
            try:
                client = redis.Redis.from_url(redis_url())
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL_PREFIX + "*")
                for item in pubsub.listen():
                    session_id = int(item["channel"].decode().rsplit(":", 1)[1])
                    with self._lock:
                        if session_id not in self._waiting:
                            continue
                    decoded = _decode(f"{session_id} ".encode() + item["data"])
                    try:
                        if decoded is not None:
                            self._apply(*decoded)
                        else:  # a publisher of the older form (the last id alone)
                            self._read([session_id])
                    except Exception:  # noqa: BLE001 - the 1 s database tick catches up
                        log.exception("chat watcher could not read session %s", session_id)
            except Exception:  # noqa: BLE001 - Redis restarting: reconnect
                log.warning("chat Redis subscription lost; reconnecting", exc_info=True)
                time.sleep(1)


def _bind_doorbell() -> socket.socket | None:
    """Bind this process's doorbell (``<dir>/<pid>.sock``), or None where there is none
    (no Unix sockets, a path too long): then the database tick alone delivers."""
    directory = doorbell_dir()
    if directory is None or not hasattr(socket, "AF_UNIX"):
        return None
    path = directory / f"{os.getpid()}.sock"
    if len(str(path)) > _MAX_SOCKET_PATH:
        return None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # this user's processes only
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a dead process of the same pid left it
        bell = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        bell.bind(str(path))
    except OSError:
        log.warning("chat doorbell unavailable; polling the database only", exc_info=True)
        return None
    return bell


_watcher = _Watcher()


def redis_url() -> str:
    """Where chat posts are published across machines, if anywhere."""
    url = getattr(settings, "CHAT_REDIS_URL", "") or ""
    if not url and str(getattr(settings, "BROKER_URL", "")).startswith("redis"):
        url = settings.BROKER_URL
    return url


class Busy(Exception):
    """Every thread this process may lend to waiting is waiting: answer now instead."""


_slots_lock = threading.Lock()
_slots_used = 0


def max_waiting() -> int:
    """How many long-polls one process holds at once: its threads less ``RESERVED``
    for the rest of the API, so open chats never starve ticket work (measured:
    benchmarks/RESULTS.md, "Live chat"). A sync worker (one thread) never waits."""
    threads = int(getattr(settings, "WEB_THREADS", 1) or 1)
    return max(0, threads - RESERVED_THREADS)


RESERVED_THREADS = 4


def wait_for(session_id: int, after: int, timeout: float) -> bool:
    """Return True once session ``session_id`` has news after message ``after``; raise
    ``Busy`` at once when this process already holds its most long-polls."""
    global _slots_used
    with _slots_lock:
        if _slots_used >= max_waiting():
            raise Busy
        _slots_used += 1
    try:
        return _watcher.wait(session_id, after, min(max(timeout, 0.0), MAX_WAIT))
    finally:
        with _slots_lock:
            _slots_used -= 1


_ringer: socket.socket | None = None
_ringer_pid = 0
_redis_clients: dict[str, object] = {}


def _ring(payload: bytes) -> None:
    """Send ``payload`` to every doorbell on this machine; a socket nobody listens on
    (its process died) is removed."""
    global _ringer, _ringer_pid
    directory = doorbell_dir()
    if directory is None or not hasattr(socket, "AF_UNIX"):
        return
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return  # no process has waited yet
    if _ringer is None or _ringer_pid != os.getpid():
        _ringer, _ringer_pid = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM), os.getpid()
        _ringer.setblocking(False)
    for name in names:
        if not name.endswith(".sock"):
            continue
        path = os.path.join(directory, name)
        try:
            _ringer.sendto(payload, path)
        except (ConnectionRefusedError, FileNotFoundError):
            with contextlib.suppress(OSError):
                os.unlink(path)
        except OSError:  # a full queue (a stuck process): its database tick delivers
            pass


def publish(session_id: int, last_message_id: int, state: str = OPEN) -> None:
    """Tell the watchers of every process that the session moved: this machine's through
    their doorbells, other machines' via Redis when configured. Call after the commit;
    without either the watchers' database reads find it by themselves."""
    payload = f"{last_message_id} {state}".encode()
    try:
        _ring(f"{session_id} ".encode() + payload)
    except Exception:  # noqa: BLE001 - the database tick still delivers it
        log.warning("chat doorbell failed for session %s", session_id, exc_info=True)
    url = redis_url()
    if not url:
        return
    try:
        import redis

        client = _redis_clients.get(url)
        if client is None:  # one connection pool per process, not a connect per line
            client = _redis_clients[url] = redis.Redis.from_url(url)
        client.publish(f"{CHANNEL_PREFIX}{session_id}", payload)
    except Exception:  # noqa: BLE001 - the database tick still delivers it
        log.warning("chat publish to Redis failed for session %s", session_id, exc_info=True)
