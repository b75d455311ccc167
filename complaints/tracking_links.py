"""The citizen's private tracking link (``/suivi/<token>/``): issued, checked, replaced and revoked here only.

* A token is 32 random bytes (``secrets.token_urlsafe``); the database keeps its SHA-256 fingerprint, never the
  token. The raw token exists in the e-mail that carries it (the outbox row, until it is sent) and in the citizen's
  browser — nowhere else on the server: no session, no cache, no column.
* One live link per case (a unique constraint on ``TrackingToken.case``): every new link — the acknowledgement,
  each notice that carries one, a "lost my link" request — replaces the case's previous one, so the link of the
  citizen's latest e-mail is the one that works. A replaced, expired or unknown link gets the same page.
* The confirmation page shows the link once (``handover_*``): the form's answer hands it to the browser in a
  signed, short-lived, HTTP-only cookie restricted to the confirmation page, which reads and deletes it.
* "Lost my link" answers before it looks anything up (``lost_link_request``): the lookup and the e-mail happen in a
  Celery task, so the answer takes the same time, queries and page whether or not reference and address match.
"""

import datetime
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from qualipref.links import absolute_url
from qualipref.mail import email_queue

from .models import Case, TrackingToken

logger = logging.getLogger(__name__)

TOKEN_LIFETIME = datetime.timedelta(days=400)


# --- issue, check, revoke ---------------------------------------------------------------------------------------


def tracking_token_issue(*, case, new_case=False):
    """A new private tracking link for ``case``, which replaces the case's previous one (one live link per case).

    Only its fingerprint is stored; returns the raw token, for the e-mail (or the page) that carries it.
    ``new_case``: the case was created in this transaction and has no link yet (a plain insert; the unique
    constraint still refuses a second link).
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    values = {"token_hash": TrackingToken.hash(token), "created_at": now, "expires_at": now + TOKEN_LIFETIME}
    if new_case:
        TrackingToken.objects.create(case=case, **values)
    else:
        TrackingToken.objects.update_or_create(case=case, defaults=values)
    return token


def tracking_path(token):
    return reverse("complaints:tracking", kwargs={"token": token})


def tracking_url(token, language=None):
    """The tracking link for e-mails, and for an officer to hand on: on the portal's public address, in the case's
    ``language`` (``/en/suivi/…`` for English; the active language when not given)."""
    with translation.override(language or translation.get_language()):
        return absolute_url(tracking_path(token))


def case_for_token(token):
    """The case a tracking token opens, or None (wrong, replaced, expired or anonymised: all the same to the
    caller)."""
    if not token or len(token) > 100:
        return None
    found = TrackingToken.objects.valid().select_related("case").filter(token_hash=TrackingToken.hash(token)).first()
    return found.case if found else None


def tracking_links_revoke(*, case_ids):
    """No link opens these cases any more (anonymisation)."""
    return TrackingToken.objects.filter(case_id__in=case_ids).delete()[0]


def tracking_link_send(case, template, purpose):
    """E-mail the citizen a notice carrying a new link (which replaces the previous one); nothing without an
    address, or once the case is anonymised."""
    if not case.email or case.anonymised_at:
        return False
    email_queue(
        to=case.email,
        template=template,
        context={
            "case": case,
            "tracking_url": tracking_url(tracking_token_issue(case=case), case.language),
            "prefecture": case.prefecture,
        },
        purpose=purpose,
        prefecture=case.prefecture,
        language=case.language,
    )
    return True


# --- shown once, on the confirmation page -------------------------------------------------------------------------

HANDOVER_COOKIE = "qp_tracking_link"
HANDOVER_SALT = "complaints.tracking_links.handover"
HANDOVER_SECONDS = 300


def handover_give(response, *, case, token, path):
    """Hand the new link to the browser for the confirmation page at ``path`` to show once: a cookie signed (it
    cannot be forged), bound to the case, HTTP-only, sent to that page only and for a few minutes."""
    response.set_signed_cookie(
        HANDOVER_COOKIE,
        f"{case.pk}:{token}",
        salt=HANDOVER_SALT,
        max_age=HANDOVER_SECONDS,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def handover_take(request, *, case):
    """The link handed over for ``case``, if this request brings it and it still opens the case, else None.

    The caller shows it and calls ``handover_forget`` on its response: the next display shows no link."""
    value = request.get_signed_cookie(HANDOVER_COOKIE, default=None, salt=HANDOVER_SALT, max_age=HANDOVER_SECONDS)
    case_id, _colon, token = (value or "").partition(":")
    if case_id != str(case.pk) or case_for_token(token) != case:
        return None
    return token


def handover_forget(request, response):
    if HANDOVER_COOKIE in request.COOKIES:
        response.delete_cookie(HANDOVER_COOKIE, path=request.path, samesite="Lax")
    return response


# --- "lost my link" ---------------------------------------------------------------------------------------------

EMAIL_FINGERPRINT_SALT = "complaints.tracking_links.lost_link"


def _email_fingerprint(email):
    """A keyed fingerprint of an address: what the task compares, so that no address travels through the broker."""
    return salted_hmac(EMAIL_FINGERPRINT_SALT, email.strip().lower()).hexdigest()


def lost_link_task_arguments(*, reference, email):
    return reference.strip().upper(), _email_fingerprint(email)


def lost_link_request(*, reference, email):
    """The lost-link form's request, queued for a Celery task after the answer: the page answers the same, in the
    same time, whether or not the reference and the address match (nothing is looked up here)."""
    arguments = lost_link_task_arguments(reference=reference, email=email)
    transaction.on_commit(lambda: _lost_link_dispatch(arguments))


def _lost_link_dispatch(arguments):
    from .tasks import send_new_tracking_link

    try:
        send_new_tracking_link.delay(*arguments)
    except Exception:  # the broker may be down: the citizen must get the link all the same
        logger.warning("lost link: could not enqueue the request, handled in the request instead", exc_info=True)
        tracking_link_resend(reference=arguments[0], email_fingerprint=arguments[1])


@transaction.atomic
def tracking_link_resend(*, reference, email_fingerprint):
    """E-mail a new link (which kills the old ones) to the case's address, if the reference and the address match.

    The reference alone finds the case, wherever it was transferred; its address must match the fingerprint.
    """
    case = Case.objects.filter(reference=reference, anonymised_at__isnull=True).exclude(email="").first()
    if case is None or not constant_time_compare(_email_fingerprint(case.email), email_fingerprint):
        return False
    return tracking_link_send(case, "complaints/emails/tracking_link", "tracking_link")
