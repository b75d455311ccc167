"""The test OpenID Connect provider (``tests/oidc_provider``), started in a subprocess on a free port, and a
"browser" (``requests``) that logs in there the way a citizen would at FranceConnect."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.oidc_provider.serve import CLIENT_ID, CLIENT_SECRET, PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    def __init__(self, base):
        self.base = base
        self.discovery_url = f"{base}/o/.well-known/openid-configuration"

    def settings(self):
        """The portal's settings for this provider."""
        return {
            "FRANCECONNECT_CLIENT_ID": CLIENT_ID,
            "FRANCECONNECT_CLIENT_SECRET": CLIENT_SECRET,
            "FRANCECONNECT_DISCOVERY_URL": self.discovery_url,
        }


@contextlib.contextmanager
def running_provider(*portals, tmp_path):
    """The provider, serving ``portals`` (base URLs), until the block ends."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env["OIDC_PROVIDER_DB"] = str(tmp_path / "provider.sqlite3")
    command = [sys.executable, "-m", "tests.oidc_provider.serve", "--port", str(port)]
    for portal in portals:
        command += ["--portal", portal]
    log = open(tmp_path / "provider.log", "wb")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    provider = Provider(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(provider.discovery_url, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test OIDC provider did not start: " + (tmp_path / "provider.log").read_text())
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def provider_login(authorize_url, username, *, browser=None):
    """Log in at the provider as ``username`` from its authorisation URL; returns the address it sends the browser
    back to (the portal's callback, with ``code`` and ``state``), not followed."""
    browser = browser or requests.Session()
    provider_host = urlsplit(authorize_url).netloc
    url = authorize_url
    for _hop in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in {301, 302, 303}:
            url = urljoin(url, response.headers["Location"])
            if urlsplit(url).netloc != provider_host:
                return url
            continue
        assert response.status_code == 200 and 'name="username"' in response.text, response.text[:500]
        login = browser.post(
            url,
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["provider_csrf"]},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=10,
        )
        assert login.status_code == 302, login.text[:500]
        url = urljoin(url, login.headers["Location"])
    raise AssertionError("the provider never sent the browser back")
