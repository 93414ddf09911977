"""Forms of the child's plan. They check the shape of the input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import DateField, DateInput
from .models import LONG_TEXT, SHORT_TEXT, Party

MAX_GOALS = 30
MAX_ACTIONS = 50
PARTY_CHOICES = [("", _("Choose a party"))] + Party.choices


class PlanForm(forms.Form):
    next_evaluation_date = DateField(
        label=_("Next evaluation date"),
        widget=DateInput(),
        error_messages={"required": _("Set the next evaluation date.")},
        help_text=_("When the case team looks at the plan again with the parents."),
    )
    whole_group_learning = forms.CharField(
        label=_("Learning points for the whole group"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT}),
        help_text=_("What this child's plan teaches us for all children in the group."),
    )


class GoalForm(forms.Form):
    description = forms.CharField(
        label=_("Goal"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT}),
        error_messages={"required": _("Describe the goal.")},
    )
    owner_party = forms.ChoiceField(
        label=_("Owned by"),
        choices=PARTY_CHOICES,
        error_messages={"required": _("Choose the party that owns this goal.")},
    )


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT}),
        error_messages={"required": _("Describe the action.")},
    )
    owner_party = forms.ChoiceField(
        label=_("Party"),
        choices=PARTY_CHOICES,
        error_messages={"required": _("Choose the party that carries out this action.")},
    )
    owner_name = forms.CharField(
        label=_("Owner"),
        max_length=120,
        help_text=_("The person who makes sure it happens."),
        error_messages={"required": _("Every action needs an owner: name the person.")},
    )
    due_date = DateField(
        label=_("Due date"),
        widget=DateInput(),
        error_messages={"required": _("Set the date by which the action is done.")},
    )
    for_whole_group = forms.BooleanField(
        label=_("For the whole group"),
        required=False,
        # The group plan is read by everyone who works with the group, including coaches
        # without this child's consent: the text must not identify the child.
        help_text=_(
            "This action helps every child in the group; it flows into the group plan, which "
            "everyone working with the group reads. Write it without naming the child."
        ),
    )


GoalFormSet = forms.formset_factory(
    GoalForm, extra=2, can_delete=True, max_num=MAX_GOALS, validate_max=True
)
ActionFormSet = forms.formset_factory(
    ActionForm, extra=2, can_delete=True, max_num=MAX_ACTIONS, validate_max=True
)


def formset_rows(formset) -> list[dict]:
    """The filled-in rows of a valid formset, in order, without the removed ones."""
    return [
        {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SHORT_TEXT}),
    )

    def __init__(self, *args, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment_required:
            field = self.fields["comment"]
            field.required = True
            field.label = _("What should change?")
            field.error_messages["required"] = _(
                "Say what should change before returning the plan."
            )


class ParentsAgreementForm(forms.Form):
    agreed_on = DateField(
        label=_("Date the parents agreed"),
        widget=DateInput(),
        error_messages={"required": _("Say when the parents agreed.")},
    )
    note = forms.CharField(
        label=_("How the parents agreed"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT}),
        help_text=_("For example: in the conversation with the mentor and the coach."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_on"].initial = timezone.localdate()


class PlanCompareForm(forms.Form):
    a = forms.ChoiceField(label=_("Compare version"))
    b = forms.ChoiceField(label=_("with version"))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(plan.uuid),
                _("Version %(version)s (%(status)s)")
                % {"version": plan.version, "status": plan.get_status_display()},
            )
            for plan in versions
        ]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
