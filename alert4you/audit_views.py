"""The audit page: organisation admins follow who looked at what in their
organisation(s) — without ever seeing a child (see `audit_selectors`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import audit, audit_selectors
from .audit_forms import AuditFilterForm
from .models import AuditEntry

PAGE_SIZE = 50


@login_required
@never_cache
def audit_log(request):
    # Like the import page: for anyone but an organisation admin it does not exist.
    organisations = list(audit_selectors.audit_organisations(request.user))
    if not organisations:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.cleaned_data if form.is_bound and valid else {}
    cursor = audit_selectors.Cursor.decode(request.GET.get("before"))
    rows, next_cursor = [], None
    if valid:
        rows, next_cursor = audit_selectors.audit_page(
            [organisation.pk for organisation in organisations], filters, cursor, PAGE_SIZE
        )
    audit.audit_record(
        user=request.user,
        action=AuditEntry.Action.AUDIT_LOG_VIEW,
        subject=", ".join(organisation.name for organisation in organisations),
        detail=form.describe() if filters else "",
        organisation=organisations[0] if len(organisations) == 1 else None,
        request=request,
    )
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "rows": rows,
        "organisations": organisations,
        "query": query.urlencode(),
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "is_later_page": cursor is not None,
    }
    return render(request, "audit/audit_log.html", context)
