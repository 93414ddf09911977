"""The filters of the audit page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import AccessLogEntry

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person (username)"), required=False, max_length=150, strip=True
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[
            ("", _("All")),
            (_("Case files"), AccessLogEntry.Action.choices),
            (_("Other"), AuditEntry.Action.choices),
        ],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All"))] + AuditEntry.Outcome.choices
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_date_from(self):
        return self._not_in_future(self.cleaned_data.get("date_from"))

    def clean_date_to(self):
        return self._not_in_future(self.cleaned_data.get("date_to"))

    @staticmethod
    def _not_in_future(day):
        if day and day > timezone.localdate():
            raise ValidationError(_("Choose a date that is not in the future."))
        return day

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def describe(self) -> str:
        """The filters used, for the audit entry of the page view."""
        return "; ".join(
            f"{name}={value.isoformat() if hasattr(value, 'isoformat') else value}"
            for name, value in self.cleaned_data.items()
            if value
        )
