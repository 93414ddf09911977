from django import forms
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .imports import KINDS

MAX_IMPORT_SIZE = 2 * 1024 * 1024


class ImportForm(forms.Form):
    """The shape of an upload; `pilots.imports` checks the rows themselves."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, to_field_name="uuid", empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("The file contains"),
        choices=[(spec.kind, spec.label) for spec in KINDS.values()],
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A .csv file of at most 2 MB whose first row names the columns. In Excel: "
            "“Save as” → “CSV UTF-8”."
        ),
        validators=[FileExtensionValidator(["csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file; save nothing"),
        required=False,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        if len(self.organisations) == 1:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(max)s is allowed. Split it into parts."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(MAX_IMPORT_SIZE),
                },
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if "organisation" not in self.fields:
            cleaned["organisation"] = self.organisations[0]
        return cleaned
