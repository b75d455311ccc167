"""The case page's workflow views: each finds the case in the user's scope (else 404), needs the
change permission (else 403), calls one service and says what happened — a refused change included."""

import json

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qualipref.workflow import TransitionRefused, refusal_message

from ..access_export import access_export
from ..answers import fill_placeholders, unfilled_placeholders_message
from ..enums import Kind, Status
from ..export import case_list_lines
from ..models import AnswerTemplate
from ..services import case_answer, case_assign, case_note, case_transition, suggestion_decide
from ..workflow import ANSWER_ONLY_STATUSES, allowed_next, check_transition
from .forms import (
    SUGGESTION_DECISIONS,
    AccessExportForm,
    AnswerForm,
    AssignForm,
    NoteForm,
    TransferForm,
    TransitionForm,
)


class CaseWorkflowViews:
    """Mixed into ``CaseAdmin``: the workflow panel of the case page and the views it posts to."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        urls = [
            path("access-export/", wrap(self.access_export_view), name="{}_{}_access_export".format(*info)),
            path("export.csv", wrap(self.list_export_view), name="{}_{}_list_export".format(*info)),
            path("<path:object_id>/transition/", wrap(self.transition_view), name="{}_{}_transition".format(*info)),
            path("<path:object_id>/answer/", wrap(self.answer_view), name="{}_{}_answer".format(*info)),
            path("<path:object_id>/transfer/", wrap(self.transfer_view), name="{}_{}_transfer".format(*info)),
            path("<path:object_id>/assign/", wrap(require_POST(self.assign_view)), name="{}_{}_assign".format(*info)),
            path("<path:object_id>/note/", wrap(require_POST(self.note_view)), name="{}_{}_note".format(*info)),
        ]
        # Before Django's own: its catch-all "<path:object_id>/" would take these addresses.
        return urls + super().get_urls()

    # --- helpers ------------------------------------------------------------------------------------

    def _case_for_action(self, request, object_id):
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        return case

    def _back_to(self, request, case):
        """The case page, or the list when the case has just left the user's scope (transferred away)."""
        if self.get_queryset(request).filter(pk=case.pk).exists():
            return redirect("admin:complaints_case_change", case.pk)
        return redirect("admin:complaints_case_changelist")

    def _render(self, request, template, case, title, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, "original": case, "title": title, **context},
        )

    def workflow_context(self, request, case):
        """What the case page's workflow panel shows: one button per allowed next status, and the forms."""
        if not self.has_change_permission(request, case):
            return {"can_act": False}
        transition_url = reverse("admin:complaints_case_transition", args=[case.pk])
        answer_url = reverse("admin:complaints_case_answer", args=[case.pk])
        buttons = []
        for status in allowed_next(case):
            if status == Status.TRANSFERRED:
                action, url = "link", reverse("admin:complaints_case_transfer", args=[case.pk])
            elif status in ANSWER_ONLY_STATUSES:
                # Reached only by writing to the citizen: the answer page, never a bare status change.
                final = AnswerForm.FINAL if status == Status.ANSWERED else AnswerForm.REQUEST
                action, url = "link", f"{answer_url}?final={final}"
            elif status == Status.REJECTED or (case.kind == Kind.SUGGESTION and status in SUGGESTION_DECISIONS):
                action, url = "link", f"{transition_url}?to={status.value}"
            else:
                action, url = "post", transition_url
            buttons.append({"status": status, "label": status.label, "action": action, "url": url})
        can_answer = case.kind == Kind.COMPLAINT and bool(ANSWER_ONLY_STATUSES & set(allowed_next(case)))
        return {
            "can_act": True,
            "transition_buttons": buttons,
            "answer_url": answer_url if can_answer else None,
            "assign_form": AssignForm(case=case, initial={"assignee": case.assignee_id}, auto_id="qp_%s"),
            "assign_url": reverse("admin:complaints_case_assign", args=[case.pk]),
            "note_form": NoteForm(auto_id="qp_%s"),
            "note_url": reverse("admin:complaints_case_note", args=[case.pk]),
        }

    # --- status changes ---------------------------------------------------------------------------------

    def transition_view(self, request, object_id):
        case = self._case_for_action(request, object_id)
        if request.method == "POST":
            form = TransitionForm(request.POST, case=case)
            if form.is_valid():
                target = Status(form.cleaned_data["to"])
                try:
                    if case.kind == Kind.SUGGESTION and target in SUGGESTION_DECISIONS:
                        case = suggestion_decide(
                            case=case, by=request.user, to=target, public_reply=form.cleaned_data["public_reply"]
                        )
                    else:
                        case = case_transition(case=case, to=target, by=request.user, note=form.cleaned_data["note"])
                except (TransitionRefused, ValidationError) as refused:
                    self.message_user(request, refusal_message(refused), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("Case %(reference)s is now “%(status)s”.")
                        % {"reference": case.reference, "status": case.get_status_display()},
                        messages.SUCCESS,
                    )
                return self._back_to(request, case)
        else:
            target = request.GET.get("to", "")
            if target not in Status.values:
                raise Http404
            try:
                check_transition(case, target)
            except TransitionRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
                return self._back_to(request, case)
            form = TransitionForm(initial={"to": target}, case=case)
        target = form.data.get("to") or form.initial.get("to")
        return self._render(
            request,
            "admin/complaints/case/transition.html",
            case,
            _("Change the status of case %(reference)s") % {"reference": case.reference},
            form=form,
            target_label=Status(target).label if target in Status.values else "",
        )

    # --- answers ---------------------------------------------------------------------------------------------

    def _answer_templates(self, request, case):
        return (
            AnswerTemplate.objects.for_user(request.user)
            .filter(prefecture_id=case.prefecture_id, is_active=True)
            .filter(Q(kind=case.kind) | Q(kind=""))
            .order_by("title")
        )

    def answer_view(self, request, object_id):
        case = self._case_for_action(request, object_id)
        if case.kind != Kind.COMPLAINT:
            self.message_user(
                request, _("A suggestion gets a public reply with its decision, not an answer."), messages.ERROR
            )
            return self._back_to(request, case)
        templates = self._answer_templates(request, case)
        chosen = None
        if request.method == "POST":
            form = AnswerForm(request.POST)
            if form.is_valid():
                try:
                    case_answer(case=case, by=request.user, text=form.cleaned_data["text"], final=form.is_final)
                except (TransitionRefused, ValidationError) as refused:
                    # The officer's text stays on the page: nothing is lost, nothing was sent.
                    form.add_error(None, refusal_message(refused))
                    self.message_user(request, refusal_message(refused), messages.ERROR)
                else:
                    message = (
                        _("The answer was sent: the citizen gets an e-mail with a link to read it.")
                        if form.is_final
                        else _("The request was sent to the citizen; the clock stops until they reply.")
                    )
                    if not case.email:
                        message = _("The answer was recorded. The citizen left no e-mail address: send it by post.")
                    self.message_user(request, message, messages.SUCCESS)
                    return self._back_to(request, case)
        else:
            template_id = request.GET.get("template", "")
            if template_id.isdigit():
                chosen = templates.filter(pk=template_id).first()
            initial_text = fill_placeholders(chosen.body, case, request.user) if chosen else ""
            if warning := unfilled_placeholders_message(initial_text):
                self.message_user(request, warning, messages.WARNING)
            form = AnswerForm(initial={"text": initial_text, "final": request.GET.get("final", AnswerForm.FINAL)})
        return self._render(
            request,
            "admin/complaints/case/answer.html",
            case,
            _("Answer case %(reference)s") % {"reference": case.reference},
            form=form,
            answer_templates=templates,
            chosen_template=chosen,
            public_messages=case.messages.exclude(kind="note").select_related("author"),
        )

    # --- transfer, assignment, notes ----------------------------------------------------------------------------

    def transfer_view(self, request, object_id):
        case = self._case_for_action(request, object_id)
        form = TransferForm(request.POST if request.method == "POST" else None, case=case)
        if request.method == "POST" and form.is_valid():
            service, prefecture = form.cleaned_data["service"], form.cleaned_data["prefecture"]
            try:
                transferred = form.transfer(by=request.user)
            except TransitionRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
                return self._back_to(request, case)
            if transferred is not None:  # else the form shows why the destination was refused
                if prefecture is not None:
                    message = _("Case %(reference)s was transferred to %(where)s, which now owns it.") % {
                        "reference": transferred.reference,
                        "where": prefecture.name,
                    }
                else:
                    message = _("Case %(reference)s was transferred to the service %(where)s.") % {
                        "reference": transferred.reference,
                        "where": service.name,
                    }
                self.message_user(request, message, messages.SUCCESS)
                return self._back_to(request, transferred)
        return self._render(
            request,
            "admin/complaints/case/transfer.html",
            case,
            _("Transfer case %(reference)s") % {"reference": case.reference},
            form=form,
        )

    def assign_view(self, request, object_id):
        case = self._case_for_action(request, object_id)
        form = AssignForm(request.POST, case=case)
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            case_assign(case=case, to=assignee, by=request.user)
            if assignee:
                message = _("Case %(reference)s is assigned to %(person)s.") % {
                    "reference": case.reference,
                    "person": assignee,
                }
            else:
                message = _("Case %(reference)s is no longer assigned.") % {"reference": case.reference}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request,
                _("This person cannot handle this case: choose a quality officer or an agent of its service."),
                messages.ERROR,
            )
        return self._back_to(request, case)

    def note_view(self, request, object_id):
        case = self._case_for_action(request, object_id)
        form = NoteForm(request.POST)
        if form.is_valid() and form.cleaned_data["text"].strip():
            case_note(case=case, by=request.user, text=form.cleaned_data["text"])
            self.message_user(request, _("The internal note was added."), messages.SUCCESS)
        else:
            self.message_user(request, _("The note is empty."), messages.ERROR)
        return self._back_to(request, case)

    # --- the list as a CSV file ---------------------------------------------------------------------------------

    def list_export_view(self, request):
        """The cases of the list as shown — filters, search and order of the query string — as a CSV file."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:complaints_case_changelist") + "?e=1")
        response = StreamingHttpResponse(
            case_list_lines(changelist.get_queryset(request)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="reclamations-{timezone.localdate():%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        return response

    # --- right of access ----------------------------------------------------------------------------------------

    def access_export_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = AccessExportForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = access_export(user=request.user, email=form.cleaned_data["email"])
            if data["cases"]:
                response = HttpResponse(
                    json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                # Never the address in the file name: it would end up in download folders and logs.
                filename = f"droit-d-acces-{timezone.localdate():%Y-%m-%d}.json"
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                response["Cache-Control"] = "no-store"
                return response
            self.message_user(request, _("No case of your prefectures holds this address."), messages.WARNING)
        return self._render(
            request,
            "admin/complaints/case/access_export.html",
            None,
            _("Export the data held about a person"),
            form=form,
        )
