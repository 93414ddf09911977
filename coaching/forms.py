"""Forms check the shape of what is sent; the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField, DateInput

from .models import LONG_TEXT, SHORT_TEXT, AssignmentKind, Topic, Weekday


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _case_label(case) -> str:
    return f"{case.child.full_name} ({case.child.group.name})"


class AssignmentForm(forms.Form):
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AssignmentKind.choices, widget=forms.RadioSelect
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "—")] + Weekday.choices,
        coerce=int,
        empty_value=None,
        required=False,
    )
    every_weeks = forms.IntegerField(
        label=_("Every how many weeks"), min_value=1, max_value=8, required=False
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput(), required=False)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput(), required=False)
    starts_on = DateField(label=_("First day"), widget=DateInput())
    ends_on = DateField(label=_("Last day"), widget=DateInput(), required=False)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every group of the location."),
    )

    def __init__(self, *args, coaches, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches
        self.fields["coach"].label_from_instance = _person
        self.fields["groups"].queryset = groups
        self.fields["groups"].label_from_instance = lambda group: group.name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day lies before the first day."))
        if cleaned.get("kind") == AssignmentKind.STRUCTURAL:
            for field in ("weekday", "every_weeks", "start_time", "end_time"):
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, _("A structural assignment needs this."))
        begins, ends = cleaned.get("start_time"), cleaned.get("end_time")
        if begins and ends and ends <= begins:
            self.add_error("end_time", _("The visit must end after it starts."))
        return cleaned


class ClosedPeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = DateField(label=_("First day"), widget=DateInput())
    ends_on = DateField(label=_("Last day"), widget=DateInput())


class VisitMoveForm(forms.Form):
    day = DateField(label=_("New date"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    reason = forms.CharField(label=_("Why does the visit move?"), max_length=300)

    def clean(self):
        cleaned = super().clean()
        day, begins, ends = (cleaned.get(f) for f in ("day", "start_time", "end_time"))
        if day and begins and ends:
            tz = timezone.get_current_timezone()
            cleaned["starts_at"] = datetime.datetime.combine(day, begins, tzinfo=tz)
            cleaned["ends_at"] = datetime.datetime.combine(day, ends, tzinfo=tz)
            if ends <= begins:
                self.add_error("end_time", _("The visit must end after it starts."))
        return cleaned


class VisitCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the visit cancelled?"), max_length=300)


class _QuestionFields(forms.Form):
    topic = forms.ChoiceField(label=_("What is it about?"), choices=Topic.choices)
    case = forms.ModelChoiceField(
        label=_("Which child?"),
        queryset=None,
        required=False,
        to_field_name="uuid",
        empty_label=_("No child (choose when the question is about one child)"),
        help_text=_(
            "Only for a question about one child. If the coach may not see the child's "
            "case, the coach reads “a child in the group”: do not write the child's name "
            "in your question."
        ),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": SHORT_TEXT}),
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = _case_label

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("topic") == Topic.ONE_CHILD and not cleaned.get("case"):
            self.add_error("case", _("Choose the child the question is about."))
        return cleaned


class AgendaQuestionForm(_QuestionFields):
    """A question for a coming visit."""

    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=None,
        required=False,
        to_field_name="uuid",
        empty_label=_("All groups of the visit"),
    )
    field_order = ["topic", "case", "group", "question"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda group: group.name


class CoachingRequestForm(_QuestionFields):
    """A request for help between visits, for a group the PM works in."""

    group = forms.ModelChoiceField(
        label=_("Group"), queryset=None, to_field_name="uuid", empty_label=None
    )
    field_order = ["group", "topic", "case", "question"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda group: (
            f"{group.name} ({group.location.name})"
        )


class VisitReportForm(forms.Form):
    """Notes per agenda item (fields `notes_<item uuid>`) and general notes."""

    general_notes = forms.CharField(
        label=_("General notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"notes_{item.uuid}"] = forms.CharField(
                label=_("Notes"),
                required=False,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": LONG_TEXT}),
            )
            item.notes_field_name = f"notes_{item.uuid}"

    def item_fields(self):
        return [(item, self[f"notes_{item.uuid}"]) for item in self.items]

    def notes_by_item(self) -> dict[str, str]:
        return {str(item.uuid): self.cleaned_data[f"notes_{item.uuid}"] for item in self.items}


class TipForm(forms.Form):
    text = forms.CharField(
        label=_("Tip for the whole group"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT}),
    )


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("Follow-up"), required=False, max_length=300)
    owner_name = forms.CharField(label=_("Owner"), required=False, max_length=120)
    due_on = DateField(label=_("Due date"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(f) for f in ("description", "owner_name", "due_on")):
            for field in ("description", "owner_name", "due_on"):
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, _("Fill this in, or leave the whole follow-up empty."))
        return cleaned


TipFormSet = forms.formset_factory(TipForm, extra=3, max_num=10)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=3, max_num=10)


class ScheduleRequestForm(forms.Form):
    visit = forms.ModelChoiceField(label=_("Visit"), queryset=None, to_field_name="uuid")

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda visit: (
            f"{timezone.localtime(visit.starts_at):%d-%m-%Y %H:%M} · {visit.location.name}"
        )


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline?"), max_length=300)


class IntervisionForm(forms.Form):
    held_on = DateField(label=_("Date"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    coaches = forms.ModelMultipleChoiceField(
        label=_("Coaches who took part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You are added yourself."),
    )
    notes = forms.CharField(
        label=_("What we learned"),
        required=False,
        max_length=LONG_TEXT,
        help_text=_("Keep cases anonymous: no names of children or parents."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": LONG_TEXT}),
    )

    def __init__(self, *args, coaches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = coaches
        self.fields["coaches"].label_from_instance = _person
        self.fields["held_on"].initial = timezone.localdate()
