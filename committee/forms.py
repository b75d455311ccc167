from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class MemberLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong e-mail address or password."),
        "inactive": _("This account is disabled. Contact the prefecture's quality team."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=3000,
        help_text=_("Read by the members of your committee and the quality team; 3,000 characters at most."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
    )


class PasswordForgottenForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
