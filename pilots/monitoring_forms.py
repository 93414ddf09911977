"""Forms of pilot monitoring. They check the shape of what is sent; the
services in `pilots.monitoring` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField, DateInput

from .models import COMPETENCES, EvaluationKind, EvaluationMoment

SCORE_ERROR = _("Choose a score from 1 to 5.")


class EvaluationMomentForm(forms.ModelForm):
    class Meta:
        model = EvaluationMoment
        fields = [
            "kind",
            "date",
            "with_steering_group",
            "with_partner_organisations",
            "with_parents_committee",
            "other_participants",
            "success_factors",
            "bottlenecks",
            "agreed_actions",
        ]
        field_classes = {"date": DateField}
        widgets = {
            "kind": forms.RadioSelect,
            "date": DateInput(),
            "success_factors": forms.Textarea(attrs={"rows": 4}),
            "bottlenecks": forms.Textarea(attrs={"rows": 4}),
            "agreed_actions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "other_participants": _("Who else took part, e.g. the school or the JGZ."),
            "success_factors": _("What works in the cooperation. Never write about a child."),
            "bottlenecks": _("What gets in the way. Never write about a child."),
        }
        error_messages = {
            "kind": {"required": _("Choose the kind of moment.")},
            "date": {"required": _("Give the date of the moment.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EvaluationKind.choices


def _score_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[
            (1, _("1 – not confident")),
            (2, "2"),
            (3, "3"),
            (4, "4"),
            (5, _("5 – very confident")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": SCORE_ERROR, "invalid_choice": SCORE_ERROR},
    )


class CompetenceRatingForm(forms.Form):
    """How confident do you feel about … (1 to 5)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in COMPETENCES:
            self.fields[field] = _score_field(label)

    def scores(self) -> dict:
        return {field: self.cleaned_data[field] for field, _label in COMPETENCES}
