"""An account's own preferences, set by its holder: "Mes préférences", linked from the admin's user menu.

Any staff account reaches it, whatever its rights on the user model: a service agent, who may not open the user
admin, sets here whether an e-mail tells them of each case arriving in their service (``User.notify_new_cases``,
read by ``complaints.arrivals``). The page changes the signed-in account only: no id in the address, nothing else
of the account in the form.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_new_cases"]


@transaction.atomic
def user_preferences_set(*, user, notify_new_cases):
    """Save ``user``'s own preferences (the caller is ``user`` themself: nothing else to check)."""
    user.notify_new_cases = notify_new_cases
    user.save(update_fields=["notify_new_cases"])
    return user


@never_cache
@staff_member_required
def my_preferences(request):
    posted = request.method == "POST"
    form = PreferencesForm(request.POST if posted else None, instance=User.objects.get(pk=request.user.pk))
    if posted and form.is_valid():
        user_preferences_set(user=request.user, notify_new_cases=form.cleaned_data["notify_new_cases"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("my_preferences")
    context = {**admin.site.each_context(request), "title": _("My preferences"), "form": form}
    return render(request, "admin/qualipref/preferences.html", context)
