"""A year of coaching requests: PMs asking their location's coach for help between visits."""

from __future__ import annotations

from bisect import bisect_left
from datetime import timedelta

from django.utils import timezone

from casework.models import CaseStatus
from coaching.models import AgendaItem, CoachingRequest, Topic

from .base import DECLINE_REASONS, REQUEST_QUESTIONS, Writer, _keep_timestamps

Status = CoachingRequest.Status

#: How long ago (days) a request in each status was asked: open and accepted ones
#: are recent, the dealt-with ones spread over the past year.
AGE_DAYS = {
    Status.OPEN: (0, 20),
    Status.ACCEPTED: (1, 45),
    Status.SCHEDULED: (3, 365),
    Status.DECLINED: (3, 365),
}


class RequestSteps(Writer):
    """Coaching requests, each from a PM of the group to the coach assigned to its
    location; scheduled ones are on the agenda of the coach's next visit."""

    def _coaching_requests(self) -> None:
        r, total = self.random, self.scale.coaching_requests
        now = timezone.now()
        coach_of_location = {a.location_id: a.coach_id for a in self.assignments}
        visits_of_location: dict[int, list] = {}
        for v in sorted(self.visits, key=lambda v: v.starts_at):
            visits_of_location.setdefault(v.location_id, []).append(v)
        starts_of_location = {
            loc: [v.starts_at for v in visits] for loc, visits in visits_of_location.items()
        }
        # Exact shares (about 5% open, 5% accepted, the rest dealt with), then shuffled.
        statuses = [Status.OPEN] * round(total * 0.05) + [Status.ACCEPTED] * round(total * 0.05)
        statuses += [Status.DECLINED] * round(total * 0.12)
        statuses += [Status.SCHEDULED] * (total - len(statuses))
        r.shuffle(statuses)
        open_cases = [c for c in self.cases if c.status != CaseStatus.CLOSED]
        other_topics = [t for t in Topic.values if t != Topic.ONE_CHILD]
        requests, agenda_items, positions = [], [], {}
        for n, status in enumerate(statuses):
            low, high = AGE_DAYS[status]
            case = r.choice(open_cases) if n % 3 == 0 and open_cases else None
            if case is not None:  # about a third: one child, asked by the child's mentor
                topic, group, asker = Topic.ONE_CHILD, case.child.group, case.child.mentor
                high = min(high, (now - case.opened_at).days)
            else:
                topic, group = r.choice(other_topics), r.choice(self.groups)
                asker = r.choice(self.pms_of_location[group.location_id])
            age = timedelta(days=r.randint(low, max(low, high)), minutes=r.randint(0, 600))
            created = now - age
            question = r.choice(REQUEST_QUESTIONS[topic])
            visit = None
            if status == Status.SCHEDULED:
                # The coach's first visit to the location at least a day after the question.
                starts = starts_of_location.get(group.location_id, [])
                i = bisect_left(starts, created + timedelta(days=1))
                if i < len(starts):
                    visit = visits_of_location[group.location_id][i]
                else:
                    status = Status.ACCEPTED
            request = CoachingRequest(
                group=group,
                topic=topic,
                case=case,
                question=question,
                requested_by=asker,
                status=status,
                coach_id=None if status == Status.OPEN else coach_of_location[group.location_id],
                visit=visit,
                decline_reason=r.choice(DECLINE_REASONS) if status == Status.DECLINED else "",
                created_at=created,
            )
            requests.append(request)
            if visit is not None:
                position = positions[visit.pk] = positions.get(visit.pk, -1) + 1
                agenda_items.append(
                    AgendaItem(
                        visit=visit,
                        topic=topic,
                        case=case,
                        group=group,
                        question=question,
                        source=AgendaItem.Source.REQUEST,
                        source_key=str(request.uuid),
                        submitted_by=asker,
                        position=position,
                        created_at=created + timedelta(hours=r.randint(2, 20)),
                    )
                )
        with _keep_timestamps(CoachingRequest):
            self._bulk("coaching requests", CoachingRequest, requests, history=True)
        with _keep_timestamps(AgendaItem):
            self._bulk("request agenda items", AgendaItem, agenda_items)
