"""Forms of parent conversations. They check the shape of the input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField, DateInput

from .models import LONG_TEXT, SHORT_TEXT, ConversationForm, Difficulty, ParentConversation

#: One line per form of the conversation: who does what.
FORM_EXPLANATIONS = {
    ConversationForm.COACH_LEADS: _(
        "The coach leads the conversation as an example; the pedagogical staff member takes "
        "part and sees how it is done."
    ),
    ConversationForm.TOGETHER: _(
        "The coach and the pedagogical staff member prepare and lead the conversation together."
    ),
    ConversationForm.STAFF_ALONE: _(
        "The pedagogical staff member leads it alone; the coach helps prepare it and gives "
        "feedback afterwards."
    ),
}

#: The short guidance shown wherever the preparation is written or read.
PREPARATION_GUIDANCE = [
    _("What must the parents hear? Say it in one or two sentences."),
    _("Start with what goes well."),
    _("Describe what you see, not what the child is."),
]


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ConversationPlanForm(forms.Form):
    planned_on = DateField(
        label=_("Date of the conversation"),
        widget=DateInput(),
        error_messages={"required": _("Choose the date of the conversation.")},
    )
    form = forms.ChoiceField(
        label=_("Form of the conversation"),
        choices=ConversationForm.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the form of the conversation with the coach.")},
        help_text=_(
            "Choose it with the coach: the harder the conversation is expected to be, the more "
            "the coach takes on."
        ),
    )
    expected_difficulty = forms.TypedChoiceField(
        label=_("Expected difficulty"),
        choices=Difficulty.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how difficult you expect the conversation to be.")},
    )
    staff_participants = PersonChoiceField(
        label=_("Staff taking part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only people who may see this child's file are listed. A coach joins through the "
            "case team, with the parents' consent."
        ),
    )
    guardians = forms.ModelMultipleChoiceField(
        label=_("Parents taking part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only this child's parents or guardians.")},
    )
    other_participants = forms.CharField(
        label=_("Others taking part"),
        required=False,
        max_length=ParentConversation._meta.get_field("other_participants").max_length,
        help_text=_("E.g. an interpreter, or the youth health nurse."),
    )

    def __init__(self, *args, people, guardians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_participants"].queryset = people
        self.fields["guardians"].queryset = guardians
        self.fields["form"].choices = [
            (value, f"{label} — {FORM_EXPLANATIONS[value]}")
            for value, label in ConversationForm.choices
        ]
        if not self.is_bound and "planned_on" not in self.initial:
            self.fields["planned_on"].initial = timezone.localdate()


class PreparationForm(forms.Form):
    message = forms.CharField(
        label=_("The message"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": LONG_TEXT}),
        error_messages={"required": _("Write the message: what must the parents hear?")},
        help_text=_("What must the parents hear? One or two sentences."),
    )
    wording = forms.CharField(
        label=_("The wording"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": LONG_TEXT}),
        help_text=_(
            "How will you say it? Write down the first sentences; start with what goes well."
        ),
    )
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class OutcomeForm(forms.Form):
    held_on = DateField(
        label=_("Held on"),
        widget=DateInput(),
        error_messages={"required": _("Give the date the conversation took place.")},
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": LONG_TEXT}),
        error_messages={
            "required": _(
                "Write down the outcome: what did the parents say, and what did you decide "
                "together?"
            )
        },
        help_text=_("What did the parents say? How did they react to the message?"),
    )
    agreements = forms.CharField(
        label=_("Agreements"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT}),
        help_text=_("Who does what, at home and in the group."),
    )
    next_step = forms.CharField(
        label=_("Next step"),
        required=False,
        max_length=ParentConversation._meta.get_field("next_step").max_length,
        help_text=_("E.g. a follow-up conversation, an observation by the coach, a referral."),
    )
    next_step_on = DateField(label=_("Next step on"), required=False, widget=DateInput())


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": LONG_TEXT}),
        error_messages={"required": _("Write your feedback.")},
        help_text=_(
            "What went well? What could be said otherwise next time? What does the staff member "
            "take to the next conversation?"
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the conversation cancelled?"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SHORT_TEXT}),
        error_messages={"required": _("Say why the conversation is cancelled.")},
    )
