from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import KIND_DESCRIPTIONS, ReminderKind, ReminderStatus


class ProfileForm(forms.Form):
    """The language of mail, and per kind of reminder whether it comes by e-mail."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Reminders by e-mail are written in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in ReminderKind:
            self.fields[self.field_name(kind)] = forms.BooleanField(
                label=kind.label, required=False, help_text=KIND_DESCRIPTIONS[kind]
            )

    @staticmethod
    def field_name(kind) -> str:
        return f"email_{kind}"

    def kind_fields(self):
        return [self[self.field_name(kind)] for kind in ReminderKind]

    def by_email(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[self.field_name(kind)] for kind in ReminderKind.values}


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + ReminderStatus.choices,
        required=False,
    )
