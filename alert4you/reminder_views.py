"""Pages about reminders: everyone's own list and profile; the organisation
admins' overview of what was sent, with a resend action."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pilots.selectors import organisations_administered_by

from . import reminders
from .models import Reminder
from .reminder_forms import ProfileForm, StatusFilterForm

PAGE_SIZE = 50


@login_required
@never_cache
def reminder_list(request):
    page = Paginator(reminders.reminders_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reminders/reminder_list.html", {"page": page})


@login_required
def reminder_open(request, reminder_uuid):
    """Open what the reminder is about; the page itself decides who may see it."""
    reminder = get_object_or_404(reminders.reminders_for_user(request.user), uuid=reminder_uuid)
    reminders.reminders_mark_read(
        actor=request.user, reminders=Reminder.objects.filter(pk=reminder.pk)
    )
    link = reminders.link_for(reminder)
    if link is None:
        messages.info(request, _("What this reminder was about no longer exists."))
        return redirect("reminders:reminder-list")
    return redirect(link)


@login_required
@require_POST
def reminder_read(request, reminder_uuid):
    reminder = get_object_or_404(reminders.reminders_for_user(request.user), uuid=reminder_uuid)
    reminders.reminders_mark_read(
        actor=request.user, reminders=Reminder.objects.filter(pk=reminder.pk)
    )
    return redirect("reminders:reminder-list")


@login_required
@require_POST
def reminder_read_all(request):
    reminders.reminders_mark_read(
        actor=request.user, reminders=reminders.reminders_for_user(request.user)
    )
    return redirect("reminders:reminder-list")


@login_required
@never_cache
def profile_edit(request):
    initial = {"language": reminders.language_of(request.user)}
    initial.update(
        {ProfileForm.field_name(k): on for k, on in reminders.preferences_for(request.user).items()}
    )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        reminders.preferences_save(actor=request.user, language=language, by_email=form.by_email())
        messages.success(request, _("Your profile was saved."))
        response = redirect("reminders:profile")
        # The app follows the chosen language too, as the language switch would.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
        return response
    return render(request, "reminders/profile_edit.html", {"form": form})


def _require_org_admin(user) -> None:
    if not organisations_administered_by(user).exists():
        raise Http404


@login_required
@never_cache
def reminder_admin(request):
    _require_org_admin(request.user)
    visible = reminders.reminders_for_admin(request.user)
    counts = reminders.status_counts(visible)
    form = StatusFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    shown = visible.filter(status=status) if status else visible
    page = Paginator(shown.select_related("recipient"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "status": status,
        "status_tabs": [(value, label, counts[value]) for value, label in Reminder.Status.choices],
        "page": page,
        "query": urlencode({"status": status}) if status else "",
    }
    return render(request, "reminders/reminder_admin.html", context)


@login_required
@require_POST
def reminder_resend(request, reminder_uuid):
    _require_org_admin(request.user)
    reminder = get_object_or_404(reminders.reminders_for_admin(request.user), uuid=reminder_uuid)
    try:
        reminders.reminder_resend(actor=request.user, reminder=reminder)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reminder will be sent again within a minute."))
    status = request.POST.get("status", "")
    status = status if status in Reminder.Status.values else ""
    url = reverse("reminders:reminder-admin")
    return redirect(f"{url}?{urlencode({'status': status})}" if status else url)
