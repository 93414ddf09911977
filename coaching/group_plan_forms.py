"""Forms of the group plan. They check the shape of what is sent; the services
decide (dates, who may, which children, overlaps)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField, DateInput

from .forms import TimeInput
from .models import LONG_TEXT, SHORT_TEXT, AppliedCheck, GroupPlanStaffing, Weekday

DayKind = GroupPlanStaffing.DayKind

MAX_GOALS = 30
MAX_CHILDREN = 40
MAX_TIPS = 60
MAX_STAFFING_ROWS = 40
EXTRA_ROWS = 3
DAY_CARE_BANDS = ("children_0_1", "children_1_2", "children_2_3", "children_3_4")
AFTER_SCHOOL_BANDS = ("children_4_7", "children_7_plus")


def _text(label, *, max_length=LONG_TEXT, rows=4, required=False, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
        **kwargs,
    )


class SectionErrors(forms.Form):
    """Carries what a service says about a section as a whole (the formset
    pages have no single form of their own)."""


class GroupPlanForm(forms.Form):
    period_start = DateField(
        label=_("Period from"),
        widget=DateInput(),
        error_messages={"required": _("Say when the period starts.")},
    )
    period_end = DateField(
        label=_("Period until"),
        widget=DateInput(),
        error_messages={"required": _("Say when the period ends.")},
    )
    evaluation_date = DateField(
        label=_("Evaluation date"),
        widget=DateInput(),
        error_messages={"required": _("Set the evaluation date.")},
        help_text=_("Within the period or at most four weeks after it."),
    )
    approach = _text(
        _("Pedagogical approach"),
        rows=6,
        help_text=_("How the team works with this group: rhythm, climate, what you focus on."),
    )
    room_arrangements = _text(
        _("Room arrangements"),
        help_text=_(
            "For example a quiet separate room where a child can land before joining the group."
        ),
    )


class GoalForm(forms.Form):
    description = _text(_("Goal"), max_length=SHORT_TEXT, rows=2)


GoalFormSet = forms.formset_factory(
    GoalForm, extra=EXTRA_ROWS, max_num=MAX_GOALS, validate_max=True
)


class ChildForm(forms.Form):
    """One child needing extra attention. `case_choices` are the open cases of
    children in the group that the user may see, by case UUID."""

    case = forms.ChoiceField(label=_("Child"), required=False)
    extra_attention = _text(_("What extra attention"), max_length=SHORT_TEXT, rows=2)

    def __init__(self, *args, case_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("Choose a child"))] + list(case_choices)

    def clean(self):
        cleaned = super().clean()
        case, text = cleaned.get("case"), (cleaned.get("extra_attention") or "").strip()
        if case and not text:
            self.add_error("extra_attention", _("Say what extra attention this child needs."))
        if text and not case and "case" not in self.errors:
            self.add_error("case", _("Choose the child this is about."))
        return cleaned


ChildFormSet = forms.formset_factory(
    ChildForm, extra=EXTRA_ROWS, max_num=MAX_CHILDREN, validate_max=True
)


class TipForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = _text(
        _("Tip for the whole group"),
        max_length=SHORT_TEXT,
        rows=2,
        help_text=_("Empty a tip to remove it."),
    )


TipFormSet = forms.formset_factory(TipForm, extra=EXTRA_ROWS, max_num=MAX_TIPS, validate_max=True)


def _count(label):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=40,
        widget=forms.NumberInput(attrs={"min": 0, "max": 40, "inputmode": "numeric"}),
    )


class StaffingForm(forms.Form):
    """One day part. A row left empty is dropped; `kind` ("day_care" or
    "after_school") decides which age bands are asked."""

    weekday = forms.TypedChoiceField(
        label=_("Day"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + Weekday.choices,
    )
    day_kind = forms.ChoiceField(
        label=_("Kind of day"), choices=DayKind.choices, initial=DayKind.SCHOOL_DAY
    )
    starts_at = forms.TimeField(label=_("From"), required=False, widget=TimeInput())
    ends_at = forms.TimeField(label=_("Until"), required=False, widget=TimeInput())
    children_0_1 = _count(_("Children 0–1"))
    children_1_2 = _count(_("Children 1–2"))
    children_2_3 = _count(_("Children 2–3"))
    children_3_4 = _count(_("Children 3–4"))
    children_4_7 = _count(_("Children 4–7"))
    children_7_plus = _count(_("Children 7+"))
    staff_planned = forms.IntegerField(
        label=_("Staff planned"),
        required=False,
        min_value=0,
        max_value=20,
        widget=forms.NumberInput(attrs={"min": 0, "max": 20, "inputmode": "numeric"}),
    )
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, kind="day_care", **kwargs):
        super().__init__(*args, **kwargs)
        unused = AFTER_SCHOOL_BANDS if kind == "day_care" else DAY_CARE_BANDS
        for name in unused:
            del self.fields[name]
        self.bands = [self[name] for name in self.fields if name.startswith("children_")]

    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        asked = ("weekday", "starts_at", "ends_at", "staff_planned")
        return not any(data.get(name) not in (None, "") for name in asked) and not any(
            data.get(field.name) for field in self.bands
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_empty() or cleaned.get("DELETE"):
            return cleaned
        required = {
            "weekday": _("Choose the day."),
            "starts_at": _("Say when the day part starts."),
            "ends_at": _("Say when the day part ends."),
            "staff_planned": _("Say how many staff are planned."),
        }
        for name, message in required.items():
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The day part must end after it starts."))
        return cleaned

    def row(self) -> dict | None:
        """The service's row, or None for an empty or removed one."""
        if self.is_empty() or self.cleaned_data.get("DELETE"):
            return None
        row = {name: value for name, value in self.cleaned_data.items() if name != "DELETE"}
        for field in self.bands:
            row[field.name] = row.get(field.name) or 0
        return row


StaffingFormSet = forms.formset_factory(
    StaffingForm, extra=EXTRA_ROWS, max_num=MAX_STAFFING_ROWS, validate_max=True
)


class CommentForm(forms.Form):
    comment = _text(_("Comment"), max_length=SHORT_TEXT, rows=3)

    def __init__(self, *args, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment_required:
            field = self.fields["comment"]
            field.required = True
            field.label = _("What should change?")
            field.error_messages["required"] = _(
                "Say what should change before returning the plan."
            )


class EvaluationForm(forms.Form):
    evaluated_on = DateField(
        label=_("Evaluated on"),
        widget=DateInput(),
        error_messages={"required": _("Say when you evaluated.")},
    )
    evaluation = _text(
        _("What the evaluation showed"),
        rows=6,
        required=True,
        error_messages={"required": _("Write down what the evaluation showed.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluated_on"].initial = timezone.localdate()


class TipCheckForm(forms.Form):
    applied = forms.ChoiceField(
        label=_("Was the tip applied?"), choices=AppliedCheck.choices, widget=forms.RadioSelect
    )
    checked_on = DateField(label=_("Checked on"), required=False, widget=DateInput())
    note = _text(_("How it went"), max_length=SHORT_TEXT, rows=3)
