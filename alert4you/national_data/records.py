"""Children, cases and everything recorded about them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from casework.models import (
    Case,
    CaseStatus,
    Child,
    Concern,
    Domain,
    Plan,
    PlanGoal,
    PlanStatus,
    WhereSeen,
)
from coaching.models import CoachAssignment, Visit
from parents.models import Consent, Guardian, ParentConversation
from pilots.models import AgeBand

from .base import CONCERN_TEXTS, Writer, _keep_timestamps


class RecordSteps(Writer):
    """Children and cases, what is recorded about them, their parents and the visits."""

    def _children_and_cases(self) -> None:
        s, r = self.scale, self.random
        first_year = {
            AgeBand.BABIES: 0,
            AgeBand.TODDLERS: 1,
            AgeBand.PRESCHOOL: 2,
            AgeBand.DAY_CARE: 0,
            AgeBand.YOUNG_SCHOOL: 4,
            AgeBand.OLDER_SCHOOL: 7,
            AgeBand.SCHOOL_AGE: 4,
        }
        span = {AgeBand.OLDER_SCHOOL: 5, AgeBand.SCHOOL_AGE: 8, AgeBand.DAY_CARE: 4}
        children = []
        for n in range(s.children):
            group = self.groups[n % len(self.groups)]
            age_days = 365 * first_year[group.age_band] + r.randrange(
                365 * span.get(group.age_band, 2 if group.age_band == AgeBand.PRESCHOOL else 1)
            )
            first, last = self._name()
            pms = self.pms_of_location[group.location_id]
            children.append(
                Child(
                    first_name=first,
                    last_name=last,
                    date_of_birth=self.today - timedelta(days=age_days + 30),
                    group=group,
                    mentor=pms[n % len(pms)],
                )
            )
        children = self._bulk("children", Child, children)
        statuses = [CaseStatus.OPEN] * 12 + [CaseStatus.MONITORING] * 3 + [CaseStatus.CLOSED] * 5
        cases = []
        now = timezone.now()
        for child in r.sample(children, min(s.cases, len(children))):
            status = r.choice(statuses)
            opened = now - timedelta(days=r.randint(30, 900), minutes=r.randint(0, 600))
            cases.append(
                Case(
                    child=child,
                    status=status,
                    reason="Zorgen over de ontwikkeling; bespreken met ouders en coach.",
                    opened_by=child.mentor,
                    opened_at=opened,
                    closed_at=opened + timedelta(days=r.randint(20, 200))
                    if status == CaseStatus.CLOSED
                    else None,
                )
            )
        with _keep_timestamps(Case):
            self.cases = self._bulk("cases", Case, cases, history=True)
        self.children = children

    def _case_content(self) -> None:
        s, r = self.scale, self.random
        domains, places = Domain.values, WhereSeen.values
        now = timezone.now()
        concerns = []
        for _ in range(s.concerns):
            case = r.choice(self.cases)
            days = r.randint(0, 700)
            concerns.append(
                Concern(
                    case=case,
                    observed_on=self.today - timedelta(days=days),
                    domain=r.choice(domains),
                    description=r.choice(CONCERN_TEXTS),
                    worry_level=r.choice((1, 1, 2, 2, 3)),
                    where_seen=r.choice(places),
                    logged_by=case.child.mentor,
                    created_at=now - timedelta(days=days, minutes=r.randint(0, 600)),
                )
            )
        with _keep_timestamps(Concern):
            self._bulk("concerns", Concern, concerns, history=True)
        open_cases = [c for c in self.cases if c.status != CaseStatus.CLOSED]
        plans = []
        for case in r.sample(open_cases, len(open_cases) // 3):
            status = PlanStatus.SUBMITTED if r.random() < 0.08 else PlanStatus.APPROVED
            plans.append(
                Plan(
                    case=case,
                    version=1,
                    status=status,
                    next_evaluation_date=self.today + timedelta(days=r.randint(-20, 90)),
                    created_by=case.child.mentor,
                    created_at=now - timedelta(days=r.randint(1, 200)),
                )
            )
        with _keep_timestamps(Plan):
            plans = self._bulk("plans", Plan, plans, history=True)
        self._bulk(
            "plan goals",
            PlanGoal,
            (
                PlanGoal(plan=p, description=text, owner_party=party, position=i)
                for p in plans
                for i, (text, party) in enumerate(
                    (
                        ("Het kind speelt samen met een ander kind.", "childcare"),
                        ("Ouders oefenen thuis het dagritme.", "parents"),
                    )
                )
            ),
        )

    def _parents(self) -> None:
        s, r = self.scale, self.random
        with_case = [c.child for c in self.cases]
        guardians = []
        for child in with_case:
            for relation in ("parent", "parent"):
                first, _last = self._name()
                guardians.append(
                    Guardian(
                        child=child,
                        first_name=first,
                        last_name=child.last_name,
                        relation=relation,
                        has_authority=True,
                        authority_checked_how="parent_statement",
                    )
                )
        guardians = self._bulk("guardians", Guardian, guardians)
        guardians_of: dict[int, list] = {}
        for g in guardians:
            guardians_of.setdefault(g.child_id, []).append(g)
        youth_of_municipality = {o.municipality_id: o for o in self.youth_care}
        scopes = Consent.Scope.values
        consents = []
        now = timezone.now()
        for n in range(s.consents):
            child = with_case[n % len(with_case)]
            scope = scopes[(n // len(with_case)) % len(scopes)]
            decision = r.choice(["granted"] * 17 + ["refused"] * 2 + ["withdrawn"])
            decided = self.today - timedelta(days=r.randint(10, 700))
            organisation = None
            if scope == Consent.Scope.SHARE_WITH_ORGANISATION:
                municipality_id = child.group.location.municipality_id
                organisation = youth_of_municipality.get(municipality_id, self.youth_care[0])
            consents.append(
                Consent(
                    child=child,
                    scope=scope,
                    organisation=organisation,
                    decision=decision,
                    decided_on=decided,
                    valid_until=decided + timedelta(days=r.choice((365, 730))),
                    method=r.choice(("paper", "conversation", "email")),
                    recorded_by=child.mentor,
                    recorded_at=now - timedelta(days=(self.today - decided).days),
                    withdrawn_on=decided + timedelta(days=30) if decision == "withdrawn" else None,
                )
            )
        with _keep_timestamps(Consent):
            consents = self._bulk("consents", Consent, consents, history=True)
        self._bulk(
            "consent signatures",
            Consent.given_by.through,
            (
                Consent.given_by.through(consent_id=c.pk, guardian_id=g.pk)
                for c in consents
                for g in guardians_of[c.child_id][:1]
            ),
        )
        conversations = []
        for _ in range(s.conversations):
            case = r.choice(self.cases)
            planned = self.today + timedelta(days=r.randint(-600, 30))
            held = planned < self.today
            conversations.append(
                ParentConversation(
                    case=case,
                    planned_on=planned,
                    status="held" if held else "planned",
                    form=r.choice(("coach_leads", "together", "staff_alone")),
                    expected_difficulty=r.choice((1, 2, 3)),
                    message="Wat we zien en wat we willen bespreken.",
                    outcome="Ouders herkennen het beeld; afspraken gemaakt." if held else "",
                    planned_by=case.child.mentor,
                )
            )
        conversations = self._bulk("parent conversations", ParentConversation, conversations)
        self._bulk(
            "conversation participants",
            ParentConversation.staff_participants.through,
            (
                ParentConversation.staff_participants.through(
                    parentconversation_id=c.pk, user_id=c.case.child.mentor_id
                )
                for c in conversations
            ),
        )

    def _coaching(self) -> None:
        s = self.scale
        youth_of_municipality = {o.municipality_id: o for o in self.youth_care}
        assignments = []
        for n, loc in enumerate(self.locations):
            org = youth_of_municipality[loc.municipality_id]
            coaches = self.coaches_of_org[org.pk]
            assignments.append(
                CoachAssignment(
                    coach=coaches[n % len(coaches)],
                    location=loc,
                    kind="structural",
                    weekday=n % 5,
                    every_weeks=2,
                    start_time=time(9, 0),
                    end_time=time(11, 0),
                    starts_on=self.today - timedelta(days=3 * 365),
                )
            )
        assignments = self._bulk("coach assignments", CoachAssignment, assignments)
        self.assignments = assignments
        per_assignment = max(1, s.visits // len(assignments))
        future = max(1, per_assignment // 8)
        tz = timezone.get_current_timezone()
        visits = []
        for a in assignments:
            first = self.today - timedelta(days=(self.today.weekday() - a.weekday) % 7)
            for k in range(-future, per_assignment - future):
                day = first - timedelta(weeks=2 * k)
                starts = datetime.combine(day, a.start_time, tzinfo=tz)
                held = day < self.today
                visits.append(
                    Visit(
                        assignment=a,
                        rhythm_date=day,
                        coach_id=a.coach_id,
                        location_id=a.location_id,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        status="held" if held else "planned",
                        report_notes="Groepsklimaat besproken; tips voor de overgangen."
                        if held
                        else "",
                        reported_at=starts + timedelta(hours=3) if held else None,
                    )
                )
        visits = self.visits = self._bulk("visits", Visit, visits)
        self._bulk(
            "visit groups",
            Visit.groups.through,
            (
                Visit.groups.through(visit_id=v.pk, group_id=g.pk)
                for v in visits
                for g in self.groups_of[v.location_id]
            ),
        )
