"""The parents' subject-access export: everything held about a child, as a page
to read and print (to PDF) and as a JSON download.

Only those who may see who looked at the case (the location's managers) may run
it: the export holds the access log, and its audience is the parents, not the
people who work on the case day to day. Every run is written to the access log
of each of the child's cases."""

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import permissions, services
from .models import AccessLogEntry, Case
from .subject_access import subject_access_data

#: The case permission that lets someone run the export.
SUBJECT_ACCESS_PERMISSION = "view_access_log"


class _UTCEncoder(DjangoJSONEncoder):
    """ISO 8601, datetimes in UTC."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            o = o.astimezone(datetime.UTC)
        return super().default(o)


def _export(request, case_uuid) -> tuple[Case, dict]:
    case = permissions.get_case_for_user(
        request.user,
        case_uuid,
        SUBJECT_ACCESS_PERMISSION,
        action=AccessLogEntry.Action.SUBJECT_ACCESS,
    )
    child = case.child
    # The export holds every case of the child: each one's log records it.
    for each in Case.objects.filter(child=child).select_related(
        "child__group__location__organisation"
    ):
        services.access_log_record(
            user=request.user,
            case=each,
            action=AccessLogEntry.Action.SUBJECT_ACCESS,
            request=request,
        )
    return case, subject_access_data(child)


@login_required
@never_cache
def subject_access_page(request, case_uuid):
    case, data = _export(request, case_uuid)
    return render(
        request, "casework/subject_access.html", {"case": case, "child": case.child, "data": data}
    )


@login_required
@never_cache
def subject_access_json(request, case_uuid):
    case, data = _export(request, case_uuid)
    response = HttpResponse(
        json.dumps(data, cls=_UTCEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{case.child.uuid}-{day}.json"'
    )
    return response
