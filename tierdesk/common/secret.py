"""The instance's secret key when none is configured: random, made once, kept private.

A key derived from anything guessable (the data folder's path, as before) lets anyone who
knows it forge sessions, password-reset links and signed survey links. The first start
writes 50 random characters to ``DATA_DIR/secret_key`` readable by its owner only; every
later start, and every process of the instance, reads the same file.
"""

import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret_key"


def instance_secret_key(data_dir: Path) -> str:
    """Return the key stored in ``data_dir``, creating it (mode 0600) on first use."""
    path = data_dir / KEY_FILE_NAME
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting at once agree on the first one's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
