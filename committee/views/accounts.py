"""Members' accounts: log in and out, set a password from the e-mailed link, ask for a new link."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qualipref.ratelimits import submission_accepted, submission_time_left, too_many_requests
from qualipref.views import breadcrumb

from ..forms import MemberLoginForm, PasswordForgottenForm
from ..services import account_link_open, account_link_opened, member_password_link_resend
from ..tokens import account_link_token

# Per address, for the e-mails it sends. Failed logins are counted by django-axes (see settings).
LINK_RATE = "5/h"


class _PageMixin:
    page_title = ""

    def get_context_data(self, **kwargs):
        title = str(self.page_title)
        return super().get_context_data(**kwargs) | {"page_title": title, **breadcrumb(title)}


class MemberLoginView(_PageMixin, auth_views.LoginView):
    template_name = "committee/login.html"
    authentication_form = MemberLoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("committee:space")
    page_title = gettext_lazy("Members' space: log in")


class MemberLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("committee:login")


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class PasswordSetView(_PageMixin, auth_views.PasswordResetConfirmView):
    """The link of the invitation e-mail: single use, from one browser, expiring.

    Opening the link (a GET) uses nothing: it shows a button, because mail services open the links of
    the messages they receive to check them before the member does. The button's POST marks the link
    opened, then Django's view moves the token from the address into the session, so it never leaks
    through the Referer header of the page that follows: the same address from another browser gets
    the "link already used or expired" page, not the form (the browser that opened it may open it
    again). The token dies with the new password.
    """

    template_name = "committee/password_set.html"
    token_generator = account_link_token
    post_reset_login = True
    post_reset_login_backend = "qualipref.auth.RoleBackend"
    success_url = reverse_lazy("committee:space")
    page_title = gettext_lazy("Choose your password")

    def dispatch(self, *args, **kwargs):
        token = kwargs.get("token")
        if token != self.reset_url_token and token != self.request.session.get(INTERNAL_RESET_SESSION_TOKEN):
            user = self.get_user(kwargs.get("uidb64"))
            valid = user is not None and self.token_generator.check_token(user, token)
            if valid:
                if self.request.method == "GET" and not account_link_opened(token=token):
                    self.validlink, self.user = True, user
                    return self.render_to_response(self.get_context_data(form=None, confirm=True))
                if not account_link_open(user=user, token=token):
                    self.validlink, self.user = False, user
                    return self.render_to_response(self.get_context_data(already_opened=True))
        return super().dispatch(*args, **kwargs)


@require_http_methods(["GET", "POST"])
def password_forgotten(request):
    form = PasswordForgottenForm(request.POST or None)
    title = _("Forgotten password")
    page = {"form": form, "sent": False, "page_title": title, **breadcrumb(title)}
    if request.method == "POST":
        limit = {"group": "committee-password-link", "rate": LINK_RATE}
        if time_left := submission_time_left(request, **limit):
            return too_many_requests(request, time_left, template="committee/password_forgotten.html", context=page)
        if form.is_valid():
            member_password_link_resend(email=form.cleaned_data["email"])
            submission_accepted(request, **limit)
            page["sent"] = True
    return render(request, "committee/password_forgotten.html", page)
