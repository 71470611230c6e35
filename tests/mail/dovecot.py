"""A private Dovecot IMAP server on a free loopback port, and an SMTP server that delivers
into it: real mail reaches a real mailbox that the poller reads.

The recipe is /work/shared/notes/mail-tests.md: an unprivileged configuration in a
short temporary folder, mail stored as uid ``dovecot``, passwords in a passwd-file.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller

USER, PASSWORD = "support", "support-pw"

CONF = """\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class DovecotUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dovecot:
    host: str
    port: int
    folder: str
    proc: subprocess.Popen

    def client(self):
        from imapclient import IMAPClient

        # Dovecot fsyncs a new folder: on a loaded 2-core machine that took over 5 s once.
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        return client


def start_dovecot() -> Dovecot:
    """Start Dovecot in the foreground (so it dies with us); raise DovecotUnavailable
    with the reason when it cannot run here."""
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if binary is None:
        raise DovecotUnavailable(
            "dovecot is not installed: run `make test-setup` (it installs Debian's "
            "dovecot-imapd) or `apt-get install -y dovecot-imapd`")
    last = ""
    for _ in range(5):
        folder = tempfile.mkdtemp(prefix="dove", dir="/tmp")  # short: unix socket paths
        os.chmod(folder, 0o755)
        port = _free_port()
        with open(f"{folder}/dovecot.conf", "w") as f:
            f.write(CONF.format(d=folder, port=port))
        with open(f"{folder}/users", "w") as f:
            f.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        os.makedirs(f"{folder}/mail", exist_ok=True)
        try:
            shutil.chown(f"{folder}/mail", "dovecot", "dovecot")
        except (LookupError, PermissionError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise DovecotUnavailable(f"cannot give the mail folder to user dovecot ({exc}); "
                                     "the tests start Dovecot as root") from exc
        proc = subprocess.Popen([binary, "-F", "-c", f"{folder}/dovecot.conf"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        server = Dovecot("127.0.0.1", port, folder, proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                last = (proc.stderr.read() or b"").decode(errors="replace")
                break
            try:
                with server.client() as c:
                    c.select_folder("INBOX")
                return server
            except Exception as exc:
                last = str(exc)
                time.sleep(0.03)
        stop_dovecot(server)
        if "Address already in use" not in last:
            break
    raise DovecotUnavailable(f"Dovecot did not start: {last}")


def stop_dovecot(server: Dovecot) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
    shutil.rmtree(server.folder, ignore_errors=True)


class _Deliver:
    """aiosmtpd handler: an MTA's last hop, appending each message to a Dovecot folder."""

    def __init__(self, dovecot: Dovecot) -> None:
        self.dovecot = dovecot
        self.folder = "INBOX"
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        data = envelope.original_content or envelope.content
        with self.lock, self.dovecot.client() as client:
            client.append(self.folder, data)
        return "250 2.0.0 OK: delivered to mailbox"


class _FreePortController(Controller):
    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailServer:
    """SMTP in on a free loopback port, delivering into a Dovecot folder."""

    def __init__(self, dovecot: Dovecot) -> None:
        self.handler = _Deliver(dovecot)
        self.controller = _FreePortController(self.handler, hostname="127.0.0.1", port=0,
                                              data_size_limit=64 * 1024 * 1024)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port
