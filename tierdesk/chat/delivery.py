"""Real-time chat delivery by long-poll: a browser asks "anything after message N?" and
the answer waits until there is, or until a short timeout.

Why long-poll and not SSE or WebSockets (measured, benchmarks/RESULTS.md "Live chat"):
``tierdesk serve`` is gunicorn without a broker; a stream would hold a worker for the
whole chat, and WebSockets need an ASGI server and, across processes, a channel layer.
A long-poll is a plain request that ends within ``MAX_WAIT`` seconds, answers the moment
a message lands, and works through any proxy.

One watcher thread per process does the waiting for every open long-poll of that
process, so 100 open chats cost one small query per tick, not 100:

- default (no broker): every ``POLL_SECONDS`` it reads ``(id, last_message_id, state)``
  of the sessions somebody waits on, from the database every process shares; a message
  posted in another process is seen within one tick;
- with ``TIERDESK_CHAT_REDIS_URL`` (or a ``redis://`` broker): posts are published on
  commit and the watcher wakes on the publish, and still reads the database once a second
  as a safety net (a publish lost in a Redis restart delays, never drops, a message).
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

POLL_SECONDS = 0.02
MAX_WAIT = 20.0
CHANNEL_PREFIX = "tierdesk:chat:"


class _Watcher:
    """Waits for sessions on behalf of request threads (one per process)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: dict[int, int] = {}  # session id -> how many requests wait on it
        self._seen: dict[int, tuple[int, str]] = {}  # session id -> (last id, state)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._redis_thread: threading.Thread | None = None

    def _ensure_threads(self) -> None:
        import os

        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()  # a forked worker starts its own threads
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
        with self._cond:
            self._waiting[session_id] = self._waiting.get(session_id, 0) + 1
            self._cond.notify_all()
        try:
            # A fresh reading after registering: nothing posted from here on is missed.
            self._read([session_id])
        except Exception:
            self._leave(session_id)
            raise
        with self._cond:
            try:
                while True:
                    seen = self._seen.get(session_id)
                    if seen is not None and (seen[0] > after or seen[1] != "open"):
                        return True
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
            finally:
                self._leave_locked(session_id)

    def _leave(self, session_id: int) -> None:
        with self._cond:
            self._leave_locked(session_id)

    def _leave_locked(self, session_id: int) -> None:
        self._waiting[session_id] -= 1
        if not self._waiting[session_id]:
            del self._waiting[session_id]
            self._seen.pop(session_id, None)

    def _read(self, ids: list[int]) -> None:
        from tierdesk.chat.models import ChatSession

        rows = ChatSession.objects.filter(pk__in=ids).values_list(
            "id", "last_message_id", "state")
        with self._cond:
            for pk, last, state in rows:
                self._seen[pk] = (last, state)
            self._cond.notify_all()

    def _poll_loop(self) -> None:
        interval = POLL_SECONDS if not redis_url() else 1.0
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                ids = list(self._waiting)
            try:
                self._read(ids)
            except Exception:  # noqa: BLE001 - a dropped connection: retry after a pause
                log.warning("chat watcher could not read sessions", exc_info=True)
                self._drop_connection()
                time.sleep(1.0)
            time.sleep(interval)

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
                    with self._cond:
                        if session_id not in self._waiting:
                            continue
                    try:
                        self._read([session_id])
                    except Exception:  # noqa: BLE001 - the 1 s database tick catches up
                        log.exception("chat watcher could not read session %s", session_id)
            except Exception:  # noqa: BLE001 - Redis restarting: reconnect
                log.warning("chat Redis subscription lost; reconnecting", exc_info=True)
                time.sleep(1)


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


def publish(session_id: int, last_message_id: int) -> None:
    """Tell watchers in every process (via Redis, when configured) that the session moved;
    without Redis the watchers' database reads find it by themselves."""
    url = redis_url()
    if not url:
        return
    try:
        import redis

        redis.Redis.from_url(url).publish(f"{CHANNEL_PREFIX}{session_id}", last_message_id)
    except Exception:  # noqa: BLE001 - the database tick still delivers it
        log.warning("chat publish to Redis failed for session %s", session_id, exc_info=True)
