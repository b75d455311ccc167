"""FranceConnect: citizens log in (OpenID Connect, authorisation code flow) to find their cases in one place.

The protocol is Authlib's Django client (``authlib.integrations.django_client``), not ours: it sends and checks
``state`` (kept in the session, one use), sends ``nonce`` and checks it in the ID token, verifies the ID token's
signature with the provider's published keys (JWKS, fetched again when an unknown key id shows), its issuer,
audience and expiry. What this module adds, as FranceConnect asks:

* scopes ``openid given_name family_name email`` and ``acr_values=eidas1`` (``FRANCECONNECT_*`` settings), a
  ``state`` and a ``nonce`` of 43 characters each (FranceConnect wants 32 at least);
* the signature algorithms the portal accepts (RS256, ES256), whatever the provider announces;
* the userinfo answer (JSON, or a JWT signed like the ID token, as FranceConnect v2 sends it) must be about the ID
  token's person (same ``sub``);
* logout through the provider's ``end_session_endpoint`` with ``id_token_hint``, ``state`` and
  ``post_logout_redirect_uri``, after the portal's session is ended.

A citizen is not a user (``Citizen``, not ``qualipref.User``): the login stores the citizen's id in a new session
(``session.flush()`` first, so an officer's login in the same browser ends), ``request.user`` stays anonymous and no
path leads from it to the administration. An officer who logs in ends the citizen's session (``drop_citizen``).
"""

import base64
import json
import logging
import secrets
import threading
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from qualipref.links import absolute_url

from .models import Citizen

logger = logging.getLogger(__name__)

SESSION_KEY = "complaints:citizen"
NEXT_KEY = "complaints:franceconnect_next"
CLIENT_NAME = "franceconnect"


class LoginRefused(Exception):
    """The provider's answer cannot log anyone in (wrong state, nonce, signature, expired token, provider error…)."""


def is_enabled():
    return bool(settings.FRANCECONNECT_CLIENT_ID and settings.FRANCECONNECT_DISCOVERY_URL)


# --- the client ---------------------------------------------------------------------------------------------------

_clients = {}
_clients_lock = threading.Lock()


def client():
    """Authlib's client for the settings in force (one per process: it keeps the provider's metadata and keys)."""
    key = (
        settings.FRANCECONNECT_CLIENT_ID,
        settings.FRANCECONNECT_CLIENT_SECRET,
        settings.FRANCECONNECT_DISCOVERY_URL,
        settings.FRANCECONNECT_SCOPES,
        settings.FRANCECONNECT_TIMEOUT,
        tuple(settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS),
    )
    with _clients_lock:
        app = _clients.get(key)
        if app is None:
            app = OAuth().register(
                name=CLIENT_NAME,
                client_id=settings.FRANCECONNECT_CLIENT_ID,
                client_secret=settings.FRANCECONNECT_CLIENT_SECRET,
                server_metadata_url=settings.FRANCECONNECT_DISCOVERY_URL,
                client_kwargs={
                    "scope": settings.FRANCECONNECT_SCOPES,
                    "token_endpoint_auth_method": "client_secret_post",
                    "default_timeout": settings.FRANCECONNECT_TIMEOUT,
                },
            )
            _clients.clear()
            _clients[key] = app
    return app


def _metadata(app):
    """The provider's metadata, its ID token algorithms cut to those the portal accepts (Authlib verifies with the
    metadata's list)."""
    metadata = app.load_server_metadata()
    accepted = settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS
    announced = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    kept = [alg for alg in announced if alg in accepted]
    if not kept:  # an empty list would let Authlib fall back on its own defaults
        raise ValueError("the provider signs with no algorithm the portal accepts")
    metadata["id_token_signing_alg_values_supported"] = kept
    return metadata


def _signed_with_accepted_algorithm(id_token):
    """The ID token's header names an accepted algorithm (checked again after Authlib's verification)."""
    header = id_token.split(".")[0]
    alg = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))).get("alg")
    return alg in settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS


def _french_url(name):
    """The address registered at FranceConnect: one, whatever the language the citizen reads in."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_url(reverse(name))


def redirect_uri():
    return _french_url("complaints:franceconnect_callback")


def post_logout_redirect_uri():
    return _french_url("complaints:franceconnect_logged_out")


def allow_provider_forms(response):
    """Let ``response``'s forms lead to the provider: the login button and the logout are forms of this portal whose
    answer redirects there, which the policy's ``form-action 'self'`` would block. The provider's origins: its
    discovery address's, and its login and logout endpoints' once its metadata is known (never fetched here)."""
    if not is_enabled():
        return response
    urls = [settings.FRANCECONNECT_DISCOVERY_URL]
    metadata = client().server_metadata
    if "_loaded_at" in metadata:
        urls += [metadata.get("authorization_endpoint"), metadata.get("end_session_endpoint")]
    origins = sorted({f"{split.scheme}://{split.netloc}" for split in map(urlsplit, filter(None, urls))})
    response._csp_update = {"form-action": origins}
    return response


# --- login --------------------------------------------------------------------------------------------------------


def safe_next(request, url):
    """``url`` if it is a path of this portal, else the citizen's space."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url if url.startswith("/") else reverse("complaints:space")
    return reverse("complaints:space")


def login_redirect(request, *, next_url):
    """The redirect to the provider's login, ``state`` and ``nonce`` kept in the session for the way back."""
    app = client()
    _metadata(app)
    request.session[NEXT_KEY] = safe_next(request, next_url)
    extra = {"acr_values": settings.FRANCECONNECT_ACR_VALUES}
    if settings.FRANCECONNECT_PROMPT:
        extra["prompt"] = settings.FRANCECONNECT_PROMPT
    return app.authorize_redirect(
        request, redirect_uri(), state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), **extra
    )


def login_finish(request):
    """Back from the provider: check everything, log the citizen in (a new session). Returns the address to go to.

    Raises ``LoginRefused`` (the session is left as it was) when anything is wrong."""
    app = client()
    try:
        metadata = _metadata(app)
        token = app.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims or not claims.get("sub") or not _signed_with_accepted_algorithm(token["id_token"]):
            raise LoginRefused("no ID token, or signed with another algorithm")
        userinfo = _userinfo(app, metadata, token)
    except (OAuthError, JoseError, ValueError, LookupError, requests.RequestException) as refused:
        # The kind of failure only (no token, no claim): logs carry no personal data.
        logger.warning("FranceConnect login refused: %s", type(refused).__name__)
        raise LoginRefused(type(refused).__name__) from refused
    if userinfo.get("sub") != claims["sub"]:
        logger.warning("FranceConnect login refused: userinfo about another subject")
        raise LoginRefused("userinfo sub")
    citizen = citizen_login(
        sub=claims["sub"],
        given_name=str(userinfo.get("given_name") or ""),
        family_name=str(userinfo.get("family_name") or ""),
        email=str(userinfo.get("email") or ""),
    )
    next_url = request.session.get(NEXT_KEY) or reverse("complaints:space")
    # A new session: nothing of the previous one (an officer's login, another citizen's) carries over.
    request.session.flush()
    request.session[SESSION_KEY] = {"id": citizen.pk, "id_token": token["id_token"]}
    request.session.set_expiry(settings.FRANCECONNECT_SESSION_SECONDS)
    return next_url


def _userinfo(app, metadata, token):
    """The userinfo endpoint's claims: JSON, or a JWT signed by the provider (FranceConnect v2)."""
    response = app.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        keys = KeySet.import_key_set(app.fetch_jwk_set())
        registry = JWSRegistry(algorithms=metadata["id_token_signing_alg_values_supported"])
        return jwt.decode(response.text.strip(), keys, registry=registry).claims
    return response.json()


@transaction.atomic
def citizen_login(*, sub, given_name, family_name, email):
    """The citizen's account for FranceConnect's ``sub``, created at the first login, with what FranceConnect says
    now (a changed e-mail address changes which earlier cases the space shows)."""
    now = timezone.now()
    citizen, _created = Citizen.objects.update_or_create(
        sub=sub,
        defaults={
            "given_name": given_name[:150],
            "family_name": family_name[:150],
            "email": email.lower()[:254],
            "last_login_at": now,
        },
    )
    return citizen


# --- the logged-in citizen ------------------------------------------------------------------------------------------


def current_citizen(request):
    """The citizen logged in on this session, or None (read once per request)."""
    if not hasattr(request, "_citizen"):
        data = request.session.get(SESSION_KEY) if is_enabled() else None
        request._citizen = Citizen.objects.filter(pk=data["id"]).first() if data else None
    return request._citizen


def drop_citizen(sender, request, user, **kwargs):
    """``user_logged_in``: an officer's login ends the citizen's session in that browser."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


# --- logout ---------------------------------------------------------------------------------------------------------


def logout_redirect(request):
    """End the portal's session, then the provider's (``end_session_endpoint``). Returns the address to go to."""
    data = request.session.get(SESSION_KEY)
    request.session.flush()
    local = reverse("complaints:franceconnect_logged_out")
    if not data or not is_enabled():
        return local
    try:
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=post_logout_redirect_uri(),
            id_token_hint=data["id_token"],
            state=secrets.token_urlsafe(32),
        )["Location"]
    except (RuntimeError, requests.RequestException, ValueError):
        logger.warning("FranceConnect logout: the provider's end-session endpoint is unknown")
        return local
