"""The server's master loads the pack's language models before it forks its workers:
a worker forked after that detects at once, and does not hang (lingua's preloading on a
thread pool made a forked worker hang on its first detection)."""

import os
import select
from types import SimpleNamespace

from tierdesk.languages.detection import detect_for_pack, warm

NEXACORE_LIKE = SimpleNamespace(languages=["en", "es", "fr", "ar"])


def test_a_worker_forked_after_the_warm_up_detects_spanish_and_arabic():
    warm(NEXACORE_LIKE)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        found = (detect_for_pack("Todos los paneles fallan desde esta mañana", NEXACORE_LIKE),
                 detect_for_pack("لا تعمل لوحات المعلومات منذ الصباح", NEXACORE_LIKE))
        os.write(write, ",".join(found).encode())
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 60)
    answer = os.read(read, 100).decode() if ready else "no answer in 60 s"
    os.close(read)
    if not ready:
        os.kill(pid, 9)
    os.waitpid(pid, 0)
    assert answer == "es,ar"
