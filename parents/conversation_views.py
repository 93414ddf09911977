"""Pages of parent conversations. Every conversation is reached through its case
(`casework.permissions.get_case_for_user`: missing or not visible answers 404,
visible but not changeable 403) and every look at one is written to the case's
access log."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alert4you.forms import form_errors_from
from casework import permissions
from casework.services import access_log_record
from pilots.models import Membership, Role

from . import conversation_services as services
from .conversation_forms import (
    FORM_EXPLANATIONS,
    PREPARATION_GUIDANCE,
    CancelForm,
    ConversationPlanForm,
    FeedbackForm,
    OutcomeForm,
    PreparationForm,
)
from .models import ParentConversation


def _conversation_for(request, conversation_uuid, codename="view_case"):
    """The conversation, if the user may see its case (404 otherwise; 403 without
    `codename`), with its case and participants loaded; the look is logged."""
    case_uuid = (
        ParentConversation.objects.filter(uuid=conversation_uuid)
        .values_list("case__uuid", flat=True)
        .first()
    )
    if case_uuid is None:
        raise Http404
    case = permissions.get_case_for_user(request.user, case_uuid, codename)
    conversation = (
        ParentConversation.objects.select_related("planned_by")
        .prefetch_related(
            Prefetch(
                "staff_participants",
                queryset=get_user_model().objects.order_by("first_name", "last_name", "username"),
            ),
            "guardians",
        )
        .get(uuid=conversation_uuid)
    )
    conversation.case = case
    access_log_record(user=request.user, case=case, action="view", request=request)
    return conversation


def _to_detail(conversation):
    return redirect("parents:conversation-detail", conversation_uuid=conversation.uuid)


def _wrong_status(request, conversation, *statuses):
    """Send the user back to the conversation when this step does not fit its status
    (the services refuse it as well)."""
    if conversation.status in statuses:
        return None
    if conversation.status == ParentConversation.Status.PLANNED:
        messages.error(request, _("Feedback follows the conversation: first record the outcome."))
    elif conversation.status == ParentConversation.Status.CANCELLED:
        messages.error(request, _("This conversation was cancelled; plan a new one."))
    else:
        messages.error(request, _("This conversation was held; it can no longer be changed."))
    return _to_detail(conversation)


def _plan_form(request, case, conversation=None):
    initial = {}
    if conversation is not None:
        initial = {
            "planned_on": conversation.planned_on,
            "form": conversation.form,
            "expected_difficulty": conversation.expected_difficulty,
            "staff_participants": list(conversation.staff_participants.all()),
            "guardians": list(conversation.guardians.all()),
            "other_participants": conversation.other_participants,
        }
    else:
        initial = {"staff_participants": [request.user.pk]}
    return ConversationPlanForm(
        request.POST or None,
        initial=initial,
        people=services.people_who_see_case(case),
        guardians=services.guardians_of(case),
    )


def _render_form(request, conversation_or_case, form, texts, **extra):
    """One form page. `texts`: title and submit label."""
    is_conversation = isinstance(conversation_or_case, ParentConversation)
    conversation = conversation_or_case if is_conversation else None
    case = conversation.case if is_conversation else conversation_or_case
    context = {
        "case": case,
        "conversation": conversation,
        "form": form,
        "title": texts[0],
        "submit_label": texts[1],
        **extra,
    }
    return render(request, "parents/conversation_form.html", context)


@login_required
@never_cache
def conversation_create(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    form = _plan_form(request, case)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_plan(
                actor=request.user, case=case, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The conversation is planned. Now prepare it."))
            return _to_detail(conversation)
    texts = (_("Plan a parent conversation"), _("Plan the conversation"))
    return _render_form(request, case, form, texts)


@login_required
@never_cache
def conversation_edit(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid, "change_case")
    if refused := _wrong_status(request, conversation, "planned"):
        return refused
    form = _plan_form(request, conversation.case, conversation)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_change_plan(
                actor=request.user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The plan of the conversation is saved."))
            return _to_detail(conversation)
    texts = (_("Change the plan of the conversation"), _("Save"))
    return _render_form(request, conversation, form, texts)


@login_required
@never_cache
def conversation_detail(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid)
    user_perms = conversation.case.user_perms
    context = {
        "case": conversation.case,
        "conversation": conversation,
        "can_change": "change_case" in user_perms,
        "is_coach": Membership.objects.current()
        .filter(user=request.user, role=Role.COACH)
        .exists(),
        "form_explanations": [
            (value, label, FORM_EXPLANATIONS[value])
            for value, label in ParentConversation.Form.choices
        ],
        "guidance": PREPARATION_GUIDANCE,
        "is_future": conversation.planned_on > timezone.localdate(),
    }
    return render(request, "parents/conversation_detail.html", context)


@login_required
@never_cache
def conversation_prepare(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid, "change_case")
    if refused := _wrong_status(request, conversation, "planned"):
        return refused
    saved = services.preparation_fingerprint(conversation)
    initial = {"message": conversation.message, "wording": conversation.wording, "based_on": saved}
    form = PreparationForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_prepare(
                actor=request.user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                # Keep the writer's text, and let the next save build on what is saved now.
                conflict = True
                form = PreparationForm(request.POST.copy(), initial=initial)
                form.data["based_on"] = saved
                form.is_valid()
            form_errors_from(form, error)
        else:
            messages.success(request, _("The preparation is saved."))
            return _to_detail(conversation)
    texts = (_("Prepare the conversation"), _("Save the preparation"))
    return _render_form(
        request, conversation, form, texts, guidance=PREPARATION_GUIDANCE, conflict=conflict
    )


@login_required
@never_cache
def conversation_outcome(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid, "change_case")
    if refused := _wrong_status(request, conversation, "planned", "held"):
        return refused
    initial = {
        "held_on": conversation.planned_on,
        "outcome": conversation.outcome if conversation.status == "held" else "",
        "agreements": conversation.agreements,
        "next_step": conversation.next_step,
        "next_step_on": conversation.next_step_on,
    }
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_record_outcome(
                actor=request.user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The outcome is saved. The coach can now give feedback."))
            return _to_detail(conversation)
    texts = (_("Record the outcome"), _("Save the outcome"))
    return _render_form(request, conversation, form, texts, show_preparation=True)


@login_required
@never_cache
def conversation_feedback(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid, "change_case")
    if refused := _wrong_status(request, conversation, "held"):
        return refused
    form = FeedbackForm(request.POST or None, initial={"feedback": conversation.coach_feedback})
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_give_feedback(
                actor=request.user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The feedback is saved."))
            return _to_detail(conversation)
    texts = (_("Feedback on the conversation"), _("Save the feedback"))
    return _render_form(request, conversation, form, texts, show_preparation=True)


@login_required
@never_cache
def conversation_cancel(request, conversation_uuid):
    conversation = _conversation_for(request, conversation_uuid, "change_case")
    if refused := _wrong_status(request, conversation, "planned"):
        return refused
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_cancel(
                actor=request.user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The conversation is cancelled."))
            return _to_detail(conversation)
    texts = (_("Cancel the conversation"), _("Cancel the conversation"))
    return _render_form(request, conversation, form, texts)
