"""A real IMAP server for the e-mail intake's tests and demonstration: Debian's Dovecot (``apt-get install
dovecot-imapd``, as .ci/run does), started with a configuration of its own on a free port, IMAPS only, with a
self-signed certificate made by openssl, users in a passwd-file and their maildirs in a temporary folder.

``python -m tests.imapserver`` runs one in the foreground for ``make imap`` (see the README: the demo mailbox).
"""

import argparse
import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
instance_name = qualipref-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
log_path = {root}/dovecot.log
mail_location = maildir:~/Maildir
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """One Dovecot instance: ``start()``, ``add_user(name, password)``, ``stop()``; ``cert`` is its certificate (the
    authority to trust), ``port`` its IMAPS port on 127.0.0.1."""

    def __init__(self, root=None, port=None, spare_accounts=0):
        # Not under pytest's temporary folder: Dovecot's own processes (another user when run as root) must reach it.
        self.root = Path(root or tempfile.mkdtemp(prefix="qualipref-dovecot-"))
        self.port = port or free_port()
        self.cert = self.root / "cert.pem"
        self.process = None
        self.spare_accounts = spare_accounts
        self._spare = []
        if os.geteuid() == 0:  # Dovecot refuses to serve mail as root: Debian's own users
            self.mail_user = pwd.getpwnam("dovecot")
            internal_user, login_user = "dovecot", "dovenull"
        else:
            self.mail_user = pwd.getpwuid(os.geteuid())
            internal_user = login_user = self.mail_user.pw_name
        self.settings = {
            "root": self.root,
            "port": self.port,
            "internal_user": internal_user,
            "internal_group": grp.getgrgid(self.mail_user.pw_gid).gr_name,
            "login_user": login_user,
            "mail_uid": self.mail_user.pw_uid,
        }

    def start(self, timeout=30):
        if not DOVECOT.exists():
            raise FileNotFoundError(f"{DOVECOT} is missing: apt-get install dovecot-imapd (as .ci/run does)")
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir(exist_ok=True)
        os.chown(self.root / "mail", self.mail_user.pw_uid, self.mail_user.pw_gid)
        (self.root / "passwd").touch()
        for number in range(self.spare_accounts):
            self._spare.append((self.add_user(f"box{number}", password := uuid.uuid4().hex), password))
        if not self.cert.exists():
            subprocess.run(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-keyout", str(self.root / "key.pem"), "-out", str(self.cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(**self.settings))
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Dovecot did not start: {self.log()[-2000:]}")
            time.sleep(0.1)

    def add_user(self, name, password):
        """A mail account. Dovecot looks at its passwd-file at most once a second: an account added after the start
        is known from the next second on (``account()`` hands out accounts written before the start, at once)."""
        home = self.root / "mail" / name
        with open(self.root / "passwd", "a") as passwd:
            passwd.write(f"{name}:{{PLAIN}}{password}:{self.mail_user.pw_uid}:{self.mail_user.pw_gid}::{home}\n")
        if self.process is not None:
            time.sleep(1.05 - time.time() % 1)
        return name

    def account(self):
        """``(user name, password)`` of an account nobody used yet."""
        if self._spare:
            return self._spare.pop()
        name, password = f"late{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
        return self.add_user(name, password), password

    def log(self):
        path = self.root / "dovecot.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        if self.process and self.process.stderr and self.process.poll() is not None:
            text += self.process.stderr.read().decode(errors="replace")
        return text

    def stop(self, remove=True):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description="Run Dovecot with one mail account, for the demo mailbox.")
    parser.add_argument("--dir", default=".imap", help="where its configuration, certificate and mail live")
    parser.add_argument("--port", type=int, default=10993)
    parser.add_argument("--user", default="reclamations-974")
    parser.add_argument("--password", default="demo")
    options = parser.parse_args()
    root = Path(options.dir).resolve()
    shutil.rmtree(root / "run", ignore_errors=True)
    (root / "passwd").unlink(missing_ok=True)
    server = Dovecot(root=root, port=options.port).start()
    server.add_user(options.user, options.password)
    print(f"Dovecot: imaps://127.0.0.1:{server.port}, user {options.user}, certificate {server.cert}")
    print(f"In another terminal: make mail-sample (or export QUALIPREF_MAILBOX_CA_FILE={server.cert})")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop(remove=False)


if __name__ == "__main__":
    main()
