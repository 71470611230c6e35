"""Child processes that end with the server that started them."""

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies (``kill -9`` included).

    Return False where the call is not available (not Linux); callers then rely on their
    own check of ``os.getppid()``.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    except (OSError, AttributeError):
        return False
