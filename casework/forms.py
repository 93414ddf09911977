import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    LONG_TEXT,
    CaseStatus,
    Concern,
    Domain,
    Observation,
    Placement,
    Referral,
    TeamRole,
    WorryLevel,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


#: The dates a form accepts. Far beyond them nothing about a child makes sense, and
#: date arithmetic (a period plus four weeks, a reminder a week before) overflows.
EARLIEST_DATE, LATEST_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def validate_date_in_range(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )


class DateField(forms.DateField):
    """Every date in a form: a real day between 1900 and 2999."""

    default_validators = [validate_date_in_range]


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["observed_on", "domain", "worry_level", "where_seen", "description"]
        field_classes = {"observed_on": DateField}
        widgets = {
            "observed_on": DateInput(),
            "worry_level": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5, "maxlength": LONG_TEXT}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate()
        self.fields["worry_level"].choices = WorryLevel.choices


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = [
            "observed_on",
            "observer_role",
            "notes",
            "wellbeing_self",
            "wellbeing_with_staff",
            "wellbeing_with_children",
        ]
        field_classes = {"observed_on": DateField}
        widgets = {
            "observed_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 5, "maxlength": LONG_TEXT}),
            "wellbeing_self": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "wellbeing_with_staff": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "wellbeing_with_children": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate()


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["setting", "place", "start_date", "end_date", "notes"]
        field_classes = {"start_date": DateField, "end_date": DateField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date lies before the start date."))
        return cleaned


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["target", "organisation", "recipient", "referred_on", "reason"]
        field_classes = {"referred_on": DateField}
        widgets = {
            "referred_on": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT}),
        }


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


class GroupChoiceField(forms.ChoiceField):
    """A choice of one of `groups` (`selectors.GroupOption`s, read once), by UUID.
    A ModelChoiceField would build a model per group to render the options and
    query again to check the choice."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, *, empty_label, **kwargs):
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.groups = {}

    def set_groups(self, groups):
        self.groups = {str(group.uuid): group for group in groups}
        self.choices = [("", self.empty_label)] + [(key, str(g)) for key, g in self.groups.items()]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:  # any spelling of the UUID, as a ModelChoiceField takes it
            group = self.groups.get(str(uuid.UUID(str(value))))
        except ValueError:
            group = None
        if group is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return group

    def validate(self, value):
        forms.Field.validate(self, value)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Child's name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + CaseStatus.choices
    )
    group = GroupChoiceField(label=_("Group"), required=False, empty_label=_("All groups"))
    domain = forms.ChoiceField(
        label=_("Domain"), required=False, choices=[("", _("All"))] + Domain.choices
    )
    worry_level = forms.TypedChoiceField(
        label=_("Worry level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All"))] + WorryLevel.choices,
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].set_groups(groups)
