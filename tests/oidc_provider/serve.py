"""Start the test OpenID Connect provider: ``python -m tests.oidc_provider.serve --port 9000 --portal URL``.

It creates its users (password ``secret`` for all: ``alice``, ``bob`` and the misbehaving ones of ``validator.py``),
registers the portal as a client (id ``qualipref``, secret ``qualipref-secret``) with ``URL``'s callback and
post-logout addresses, prints the portal's ``FRANCECONNECT_*`` settings, then serves until stopped.
For the tests (``tests/complaints/oidc.py``) and to try FranceConnect in ``make run`` (README); never in production.
"""

import argparse
import os
import sys
import tempfile

CLIENT_ID = "qualipref"
CLIENT_SECRET = "qualipref-secret"
PASSWORD = "secret"
USERS = [
    ("alice", "Alice", "Martin", "alice.martin@example.org"),
    ("bob", "Bob", "Durand", "bob.durand@example.org"),
    ("tampered", "Tina", "Amper", "tampered@example.org"),
    ("expired", "Ed", "Pired", "expired@example.org"),
    ("wrong-nonce", "Nora", "Nonce", "nonce@example.org"),
    ("other-userinfo", "Otto", "Other", "other@example.org"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--portal", action="append", default=[], help="the portal's base URL (repeatable)")
    args = parser.parse_args()
    portals = [url.rstrip("/") for url in args.portal] or ["http://127.0.0.1:8000"]

    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ.setdefault("OIDC_PROVIDER_DB", os.path.join(tempfile.mkdtemp(prefix="oidc-provider-"), "db.sqlite3"))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    # Fixed ids: a user's id is her FranceConnect identifier (sub) at the portal; the demo's citizen is alice's, 1
    # (complaints/demo.py, DEMO_CITIZEN).
    for pk, (username, given_name, family_name, email) in enumerate(USERS, start=1):
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username, email=email, password=PASSWORD, first_name=given_name, last_name=family_name, pk=pk
            )
    Application.objects.filter(client_id=CLIENT_ID).delete()
    Application.objects.create(
        name="Qualipref",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(f"{url}/franceconnect/retour/" for url in portals),
        post_logout_redirect_uris=" ".join(f"{url}/franceconnect/deconnecte/" for url in portals),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    base = f"http://{args.host}:{args.port}"
    print(f"FRANCECONNECT_DISCOVERY_URL={base}/o/.well-known/openid-configuration", flush=True)
    print(f"FRANCECONNECT_CLIENT_ID={CLIENT_ID}", flush=True)
    print(f"FRANCECONNECT_CLIENT_SECRET={CLIENT_SECRET}", flush=True)
    print(f"Users: {', '.join(user[0] for user in USERS[:2])} (password {PASSWORD!r})", file=sys.stderr, flush=True)
    run(args.host, args.port, get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main()
