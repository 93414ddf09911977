"""Erasing closed cases after their retention period (casework.retention)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alert4you.history import save_with_history
from alert4you.models import AuditEntry, Reminder
from casework import retention, services
from casework.models import (
    AccessLogEntry,
    Case,
    CaseGroupObjectPermission,
    CaseTeamMember,
    CaseUserObjectPermission,
    Child,
    Concern,
    Observation,
    Placement,
    Plan,
    PlanAction,
    PlanGoal,
    PlanReview,
    Referral,
)
from coaching.models import AgendaItem, CoachingRequest, Visit
from coaching.models.group_plans import GroupPlan, GroupPlanChild
from parents.models import Consent, Guardian, ParentConversation
from pilots.models import Group, Location

MARK = "Zwanenburg"  # the child's last name, and in every free text about the child


def _years_later(day, years):
    return day.replace(year=day.year + years)


def _today():
    return timezone.localdate()


@pytest.fixture
def youth_group(world):
    """A group at a location owned by the youth-care organisation."""
    location = Location.objects.create(
        organisation=world.youth_care, name="De Brug", location_type=Location.Type.KDV
    )
    return Group.objects.create(
        location=location, name="Brugpiepers", age_band=Group.AgeBand.DAY_CARE, capacity=8
    )


def _child(world, group, first="Mieke", last=MARK):
    return services.child_register(
        actor=world.manager,
        first_name=first,
        last_name=last,
        date_of_birth=datetime.date(2022, 3, 17),
        group=group,
        mentor=world.pm_a,
    )


def _closed_case(world, child, *, reason=f"Worried about {MARK}"):
    case = services.case_open(actor=world.manager, child=child, reason=reason)
    Concern.objects.create(
        case=case,
        observed_on=_today(),
        domain="social_emotional",
        description=f"{child.last_name} plays alone.",
        worry_level=2,
        where_seen="group",
        logged_by=world.pm_a,
    )
    _close(world, case)
    return case


def _close(world, case):
    case.refresh_from_db()
    case.status = "closed"
    case.closed_at = timezone.now()
    save_with_history(case, actor=world.manager, reason="closed")


def _full_case(world, group):
    """A closed case with a row of every kind that belongs to it."""
    child = _child(world, group)
    case = services.case_open(actor=world.manager, child=child, reason=f"Worried about {MARK}")
    u = world.pm_a
    concern = Concern.objects.create(
        case=case,
        observed_on=_today(),
        domain="social_emotional",
        description=f"{MARK} plays alone.",
        worry_level=2,
        where_seen="group",
        logged_by=u,
    )
    concern.description = f"{MARK} plays alone and cries."
    concern.save()  # a second history version
    Observation.objects.create(
        case=case,
        observed_on=_today(),
        observer=u,
        observer_role="pedagogical_staff",
        notes=f"{MARK} sat apart.",
    )
    plan = Plan.objects.create(
        case=case,
        version=1,
        next_evaluation_date=_today(),
        created_by=u,
        whole_group_learning=f"Learned from {MARK}",
        parents_agreement_note=f"{MARK}'s parents agreed",
    )
    PlanGoal.objects.create(plan=plan, description=f"{MARK} joins play", owner_party="childcare")
    action = PlanAction.objects.create(
        plan=plan,
        description=f"Invite {MARK}",
        owner_party="childcare",
        owner_name="Anna",
        due_date=_today(),
    )
    PlanReview.objects.create(plan=plan, action="submitted", by=u, comment=f"About {MARK}")
    Placement.objects.create(
        child=child,
        setting="day_treatment",
        place=f"Kliniek {MARK}",
        start_date=_today(),
        notes=f"{MARK} went",
        recorded_by=u,
    )
    Referral.objects.create(
        case=case,
        target="youth_care",
        recipient=f"Team {MARK}",
        reason=f"{MARK} needs help",
        referred_on=_today(),
        referred_by=u,
    )
    CaseTeamMember.objects.create(case=case, user=world.coach, role="coach", added_by=u)
    mother = Guardian.objects.create(
        child=child, first_name="Moeder", last_name=MARK, relation="parent", phone="0612345678"
    )
    consent = Consent.objects.create(
        child=child,
        scope="observation_by_coach",
        decision="granted",
        decided_on=_today(),
        method="paper",
        notes=f"{MARK} agreed",
        recorded_by=u,
    )
    consent.given_by.add(mother)
    conversation = ParentConversation.objects.create(
        case=case,
        planned_on=_today(),
        form="together",
        expected_difficulty=2,
        message=f"{MARK} is sad",
        outcome=f"{MARK}'s mother agreed",
        planned_by=u,
    )
    conversation.guardians.add(mother)
    visit = Visit.objects.create(
        coach=world.coach,
        location=group.location,
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    AgendaItem.objects.create(
        visit=visit, topic="one_child", case=case, question=f"How to help {MARK}?"
    )
    CoachingRequest.objects.create(
        group=group, topic="one_child", case=case, question=f"{MARK} bites", requested_by=u
    )
    group_plan = GroupPlan.objects.create(
        group=group,
        version=1,
        period_start=_today(),
        period_end=_today(),
        evaluation_date=_today(),
        created_by=u,
    )
    GroupPlanChild.objects.create(
        plan=group_plan, case=case, extra_attention=f"{MARK} needs a quiet corner"
    )
    for target in (plan, conversation, consent):
        Reminder.objects.create(
            kind="plan_evaluation",
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            recipient=u,
            for_date=_today(),
            due_at=timezone.now(),
        )
    services.access_log_record(user=world.manager, case=case, action=AccessLogEntry.Action.VIEW)
    _close(world, case)
    case.refresh_from_db()
    return case, action


def _historical_models():
    return [m for m in apps.get_models() if m.__name__.startswith("Historical")]


def _history_mentions(*needles):
    """Historical rows (of every model) whose text columns mention any needle."""
    hits = {}
    for model in _historical_models():
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        if not columns:
            continue
        query = Q()
        for column in columns:
            for needle in needles:
                query |= Q(**{f"{column}__icontains": needle})
        count = model.objects.filter(query).count()
        if count:
            hits[model.__name__] = count
    return hits


def _is_due(case, today):
    return retention.expired_cases(today=today).filter(pk=case.pk).exists()


def _backdate_everything(years):
    """Move every recorded change `years` back (history and live timestamps)."""
    then = timezone.now() - datetime.timedelta(days=365 * years + years // 4 + 2)
    for model in _historical_models():
        if any(f.name == "history_date" for f in model._meta.fields):
            model.objects.update(history_date=then)
    Case.objects.update(opened_at=then, closed_at=then)
    PlanReview.objects.update(at=then)


# --- which cases are due -------------------------------------------------------------------------


def test_youth_care_case_is_due_twenty_years_and_a_day_after_its_last_change(world, youth_group):
    case = _closed_case(world, _child(world, youth_group))
    today = _today()
    assert not _is_due(case, _years_later(today, 20) - datetime.timedelta(days=1))
    assert not _is_due(case, _years_later(today, 20))
    assert _is_due(case, _years_later(today, 20) + datetime.timedelta(days=1))


def test_childcare_case_follows_the_default_term(cases):
    w = cases
    _close(w, w.case_a)
    today = _today()
    assert not _is_due(w.case_a, _years_later(today, 2))
    assert _is_due(w.case_a, _years_later(today, 2) + datetime.timedelta(days=1))


def test_childcare_organisation_sets_its_own_term(cases):
    w = cases
    _close(w, w.case_a)
    w.childcare.retention_years = 7
    w.childcare.save()
    today = _today()
    assert not _is_due(w.case_a, _years_later(today, 2) + datetime.timedelta(days=1))
    assert not _is_due(w.case_a, _years_later(today, 7))
    assert _is_due(w.case_a, _years_later(today, 7) + datetime.timedelta(days=1))


def test_a_recent_change_to_a_concern_restarts_the_clock(world, youth_group):
    case = _closed_case(world, _child(world, youth_group))
    _backdate_everything(21)
    assert _is_due(case, _today())
    concern = case.concerns.get()
    concern.description = "Corrected today."
    save_with_history(concern, actor=world.pm_a, reason="corrected")
    assert not _is_due(case, _today())


def test_a_deleted_row_of_yesterday_restarts_the_clock_too(world, youth_group):
    case = _closed_case(world, _child(world, youth_group))
    _backdate_everything(21)
    case.concerns.get().delete()
    assert not _is_due(case, _today())


def test_open_cases_and_children_with_an_open_case_are_never_touched(world, youth_group):
    open_case = services.case_open(actor=world.manager, child=_child(world, youth_group))
    child = _child(world, youth_group, first="Sem")
    old_case = _closed_case(world, child)
    services.case_open(actor=world.manager, child=child)  # the child is back
    far = _years_later(_today(), 40)
    assert not retention.expired_cases(today=far).exists()

    run = retention.erase_expired_cases(today=far)
    assert run.erased == 0
    old_case.refresh_from_db()
    open_case.refresh_from_db()
    assert old_case.erased_at is None and old_case.concerns.exists()
    assert open_case.erased_at is None
    assert Child.objects.filter(first_name="Sem", last_name=MARK).exists()


# --- erasing -----------------------------------------------------------------------------------


def test_erasure_removes_the_file_and_every_history_row_about_it(world, youth_group):
    case, _action = _full_case(world, youth_group)
    child = case.child
    log_before = list(AccessLogEntry.objects.filter(case=case).values_list("pk", flat=True))
    assert _history_mentions(MARK, "Mieke")  # the scan sees what it looks for
    world.childcare.retention_years = 30
    world.childcare.save()
    other_child = _child(world, world.group_b, first="Other", last="Kind")
    other = _closed_case(world, other_child, reason="Not due yet")  # a 30-year term

    run = retention.erase_expired_cases(today=_years_later(_today(), 20) + datetime.timedelta(1))

    assert run.erased == 1 and run.failed == 0
    case.refresh_from_db()
    child.refresh_from_db()
    assert case.erased_at is not None and case.reason == "" and case.status == "closed"
    assert (child.first_name, child.last_name) == (retention.PLACEHOLDER, retention.PLACEHOLDER)
    assert child.date_of_birth == datetime.date(2022, 1, 1) and child.mentor is None
    for model in (Concern, Observation, Plan, Referral, CaseTeamMember, ParentConversation):
        assert not model.objects.filter(case=case).exists(), model
    assert not PlanGoal.objects.exists() and not PlanAction.objects.exists()
    assert not PlanReview.objects.exists()
    assert not AgendaItem.objects.filter(case=case).exists()
    assert not CoachingRequest.objects.filter(case=case).exists()
    assert not GroupPlanChild.objects.filter(case=case).exists()
    for model in (Placement, Consent, Guardian):
        assert not model.objects.filter(child=child).exists(), model
    assert not Reminder.objects.exists()
    # Every text column of every history table, whatever the model: nothing left.
    assert _history_mentions(MARK, "Mieke", "Moeder", "0612345678") == {}
    assert not Case.history.model.objects.filter(id=case.pk).exists()
    assert not Child.history.model.objects.filter(id=child.pk).exists()
    assert not Concern.history.model.objects.filter(case_id=case.pk).exists()
    # The other child's (not yet due) case is as it was.
    assert _history_mentions("Other")
    other.refresh_from_db()
    assert other.erased_at is None and other.concerns.exists()
    # The access log stays, pointing to the stub.
    assert list(AccessLogEntry.objects.filter(case=case).values_list("pk", flat=True)) == log_before
    # The team is gone, and the access policy grants no one anything on the stub:
    # it drops out of every case list and case page.
    assert not case.team_members.exists()
    assert not CaseGroupObjectPermission.objects.filter(content_object=case).exists()
    assert not CaseUserObjectPermission.objects.filter(content_object=case).exists()


def test_a_closed_case_erased_while_another_closed_case_keeps_the_child(world, youth_group):
    child = _child(world, youth_group)
    first = _closed_case(world, child)
    _backdate_everything(21)
    second = _closed_case(world, child)  # closed today: not due
    Placement.objects.create(
        child=child, setting="plus_group", place="Plus", start_date=_today(), recorded_by=world.pm_a
    )
    # The child's own rows (the placement of today) are part of the first case's file.
    assert not _is_due(first, _today())
    run = retention.erase_expired_cases(today=_years_later(_today(), 20) + datetime.timedelta(1))
    assert run.erased == 2
    child.refresh_from_db()
    assert child.first_name == retention.PLACEHOLDER
    assert not Placement.objects.exists()
    assert Case.objects.filter(pk__in=[first.pk, second.pk], erased_at__isnull=False).count() == 2


def test_only_the_last_case_of_a_child_takes_the_child_with_it(world, youth_group):
    child = _child(world, youth_group)
    first = _closed_case(world, child)
    # Only the first case's own rows are old; the child's rows are not.
    second = services.case_open(actor=world.manager, child=child)
    _close(world, second)
    second_concern = Concern.objects.create(
        case=second,
        observed_on=_today(),
        domain="social_emotional",
        description="Later concern.",
        worry_level=1,
        where_seen="group",
        logged_by=world.pm_a,
    )
    assert second_concern
    counts = retention.case_erase(
        case_id=first.pk, today=_years_later(_today(), 20) + datetime.timedelta(1)
    )
    assert counts is not None and "child" not in counts
    child.refresh_from_db()
    assert child.first_name == "Mieke"  # the second case still needs the child
    assert second.concerns.exists()
    first.refresh_from_db()
    assert first.erased_at is not None and not first.concerns.exists()


def test_a_failure_half_way_leaves_the_case_as_it_was(world, youth_group, monkeypatch):
    case, _action = _full_case(world, youth_group)
    history_before = {m.__name__: m.objects.count() for m in _historical_models()}
    original = retention._delete_with_reminders

    def failing(queryset):
        if queryset.model is Referral:
            raise RuntimeError("disk full")
        return original(queryset)

    monkeypatch.setattr(retention, "_delete_with_reminders", failing)
    far = _years_later(_today(), 20) + datetime.timedelta(1)
    with pytest.raises(RuntimeError):
        retention.case_erase(case_id=case.pk, today=far)

    case.refresh_from_db()
    assert case.erased_at is None and case.reason
    assert case.concerns.exists() and Plan.objects.filter(case=case).exists()
    assert Child.objects.get(pk=case.child_id).first_name == "Mieke"
    assert Reminder.objects.count() == 3
    assert {m.__name__: m.objects.count() for m in _historical_models()} == history_before

    run = retention.erase_expired_cases(today=far)
    assert (run.erased, run.failed) == (0, 1)
    entry = AuditEntry.objects.get()
    assert "1 failed" in entry.detail
    with pytest.raises(CommandError):
        call_command("erase_expired_cases", today=far.isoformat(), stdout=StringIO())


# --- runs ----------------------------------------------------------------------------------------


def test_dry_run_changes_nothing_and_reports_counts_per_organisation(world, youth_group):
    case, _action = _full_case(world, youth_group)
    history_before = {m.__name__: m.objects.count() for m in _historical_models()}
    out = StringIO()
    far = _years_later(_today(), 20) + datetime.timedelta(1)
    call_command("erase_expired_cases", "--dry-run", f"--today={far.isoformat()}", stdout=out)

    text = out.getvalue()
    assert "Yorneo (youth_care, 20 years): 1 case(s) would be erased" in text
    assert MARK not in text and "Mieke" not in text
    case.refresh_from_db()
    assert case.erased_at is None and case.concerns.exists()
    assert {m.__name__: m.objects.count() for m in _historical_models()} == history_before
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.RETENTION_RUN and entry.user is None
    assert entry.detail.startswith("dry run") and "1 case(s) due" in entry.detail


def test_every_run_is_logged_also_when_nothing_is_due(world):
    call_command("erase_expired_cases", stdout=StringIO())
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.RETENTION_RUN
    assert entry.user is None and entry.subject == "retention"
    assert "0 of 0" in entry.detail


def test_a_second_run_erases_nothing_more(world, youth_group):
    case, _action = _full_case(world, youth_group)
    far = _years_later(_today(), 20) + datetime.timedelta(1)
    out = StringIO()
    call_command("erase_expired_cases", today=far.isoformat(), stdout=out)
    assert "erased 1 of 1" in out.getvalue()
    case.refresh_from_db()
    erased_at = case.erased_at

    run = retention.erase_expired_cases(today=far)
    assert (run.due_total, run.erased) == (0, 0)
    case.refresh_from_db()
    assert case.erased_at == erased_at
    assert AuditEntry.objects.count() == 2
    details = list(AuditEntry.objects.values_list("detail", flat=True))
    assert not any(MARK in d or "Mieke" in d for d in details)


def test_the_weekly_task_runs_the_same_sweep(world, youth_group):
    from alert4you.celery import app
    from casework import tasks

    assert any(
        e["task"] == "casework.tasks.erase_expired_cases" for e in app.conf.beat_schedule.values()
    )
    assert tasks.erase_expired_cases() == 0
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_RUN).count() == 1


def test_the_selection_takes_the_same_queries_for_one_or_many_cases(world, youth_group):
    far = _years_later(_today(), 20) + datetime.timedelta(1)
    _closed_case(world, _child(world, youth_group))
    with CaptureQueriesContext(connection) as one:
        assert len(list(retention.expired_cases(today=far))) == 1
    for i in range(4):
        _closed_case(world, _child(world, youth_group, first=f"Kind{i}"))
    world.school.retention_years = 3
    world.school.save()
    with CaptureQueriesContext(connection) as many:
        assert len(list(retention.expired_cases(today=far))) == 5
    assert len(one) == len(many) == 2

    with CaptureQueriesContext(connection) as dry:
        retention.erase_expired_cases(today=far, dry_run=True)
    assert len(dry) <= 5
