"""The consent register: guardians, the parents' decisions, and what they open.

Every page is for the staff who care for the child every day (the children a
user may log a concern about); anyone else gets 404, as if the child did not
exist. Writes go through `parents.services`, which re-derive access at once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alert4you import audit
from alert4you import sql as sql_parts
from alert4you.forms import form_errors_from
from alert4you.pagination import paginate
from casework import permissions as case_permissions
from casework import selectors as case_selectors
from casework.models import AccessLogEntry, CaseStatus
from pilots.models import Organisation

from . import consent_rules, selectors, services
from .consent_forms import ConsentForm, GuardianForm, LegalGroundForm, WithdrawForm
from .models import Consent, Guardian, Scope

PAGE_SIZE = 50


def _guardian_for(user, guardian_uuid) -> Guardian:
    guardian = (
        Guardian.objects.filter(
            uuid=guardian_uuid, child__in=case_selectors.children_for_concerns(user)
        )
        .select_related("child__group__location")
        .first()
    )
    if guardian is None:
        audit.access_denied(user, "guardian", guardian_uuid)
        raise Http404
    return guardian


def _consent_for(user, consent_uuid) -> Consent:
    consent = (
        Consent.objects.filter(
            uuid=consent_uuid, child__in=case_selectors.children_for_concerns(user)
        )
        .select_related("child__group__location", "organisation")
        .first()
    )
    if consent is None:
        audit.access_denied(user, "consent", consent_uuid)
        raise Http404
    return consent


def _register_url(child):
    return reverse("parents:child-consents", kwargs={"child_uuid": child.uuid})


def _is_twelve(child) -> bool:
    age = consent_rules.age_on(child.date_of_birth, timezone.localdate())
    return age >= consent_rules.AGE_OF_OWN_CONSENT


@login_required
@never_cache
@sql_parts.prepared("consent_register")  # the same queries on every visit
def child_consents(request, child_uuid):
    child = case_permissions.get_child_for_concern(request.user, child_uuid)
    guardians = list(child.guardians.all())
    for guardian in guardians:
        guardian.authority_proven = (
            guardian.authority_checked_how in consent_rules.PROOF_OF_AUTHORITY
        )
    context = {
        "child": child,
        "guardians": guardians,
        "register": selectors.consent_register(child),
        "case": case_selectors.cases_for_user(request.user)
        .filter(child=child)
        .exclude(status=CaseStatus.CLOSED)
        .first(),
        "is_twelve": _is_twelve(child),
    }
    # The register names the child and links their case: logged as the lists do.
    audit.children_listed(user=request.user, child_ids=[child.pk], request=request)
    return render(request, "parents/consent_register.html", context)


def _guardian_form_view(request, child, guardian=None):
    form = GuardianForm(request.POST or None, guardian=guardian)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_save(
                actor=request.user, child=child, guardian=guardian, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The parent or guardian is saved."))
            return redirect(_register_url(child))
    context = {"form": form, "child": child, "guardian": guardian}
    return render(request, "parents/guardian_form.html", context)


@login_required
@never_cache
def guardian_create(request, child_uuid):
    child = case_permissions.get_child_for_concern(request.user, child_uuid)
    return _guardian_form_view(request, child)


@login_required
@never_cache
def guardian_edit(request, guardian_uuid):
    guardian = _guardian_for(request.user, guardian_uuid)
    return _guardian_form_view(request, guardian.child, guardian)


def _initial_subject(params):
    """The scope and organisation a link asked for (?scope=…&organisation=<uuid>)."""
    initial = {}
    if params.get("scope") in Scope.values:
        initial["scope"] = params["scope"]
    organisation = _organisation_from(params)
    if organisation is not None:
        initial["organisation"] = organisation
    return initial


def _organisation_from(params):
    try:
        return Organisation.objects.filter(uuid=params.get("organisation")).first()
    except ValidationError:  # not a UUID
        return None


@login_required
@never_cache
def consent_record(request, child_uuid):
    child = case_permissions.get_child_for_concern(request.user, child_uuid)
    form = ConsentForm(request.POST or None, child=child, initial=_initial_subject(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The parents' decision is recorded."))
            return redirect(_register_url(child))
    context = {"form": form, "child": child, "is_twelve": _is_twelve(child)}
    return render(request, "parents/consent_form.html", context)


@login_required
@never_cache
def consent_withdraw(request, consent_uuid):
    consent = _consent_for(request.user, consent_uuid)
    consent.givers = selectors.givers_of(consent)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(actor=request.user, consent=consent, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The consent is withdrawn; the access it gave has ended."))
            return redirect(_register_url(consent.child))
    context = {
        "form": form,
        "consent": consent,
        "child": consent.child,
        "losing_access": selectors.team_members_relying_on(consent),
    }
    return render(request, "parents/consent_withdraw.html", context)


@login_required
@never_cache
def consent_legal_ground(request, child_uuid):
    child = case_permissions.get_child_for_concern(request.user, child_uuid)
    form = LegalGroundForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_on_legal_ground(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The sharing on a legal ground is recorded."))
            return redirect(_register_url(child))
    return render(request, "parents/consent_legal_ground.html", {"form": form, "child": child})


@login_required
@never_cache
def consent_paper_form(request, child_uuid):
    """A consent form to print and have signed by everyone with parental authority."""
    child = case_permissions.get_child_for_concern(request.user, child_uuid)
    scope = request.GET.get("scope")
    if scope not in Scope.values:
        messages.error(request, _("Choose what the consent form is for."))
        return redirect(_register_url(child))
    organisation = None
    if scope == Scope.SHARE_WITH_ORGANISATION:
        organisation = _organisation_from(request.GET)
    context = {
        "child": child,
        "scope": scope,
        "scope_label": Scope(scope).label,
        "organisation": organisation,
        "guardians": [g for g in child.guardians.all() if g.has_authority],
        "is_twelve": _is_twelve(child),
        "printed_at": timezone.now(),
    }
    # A form naming the child and their parents, to print: logged as a print.
    audit.cases_listed(
        user=request.user,
        child_ids=[child.pk],
        action=AccessLogEntry.Action.PRINT,
        request=request,
    )
    return render(request, "parents/consent_paper_form.html", context)


@login_required
@never_cache
def consents_expiring(request):
    consents = selectors.consents_expiring_for_user(request.user)
    page = paginate(consents, request.GET.get("page"), PAGE_SIZE)
    audit.children_listed(
        user=request.user, child_ids=[c.child_id for c in page.object_list], request=request
    )
    return render(request, "parents/consent_expiring.html", {"page": page})
