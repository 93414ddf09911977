"""Forms of the consent register. They check the shape of the input; whether a
consent counts is for `parents.services` and `parents.consent_rules` to say."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField, DateInput
from pilots.models import Organisation

from . import consent_rules
from .models import SHORT_TEXT, Consent, Decision, Guardian, Method, Scope


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


def _notes_field():
    return forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SHORT_TEXT}),
    )


class GuardianForm(forms.Form):
    """A parent or guardian. A plain form: the service validates the guardian as
    a whole and words its refusals for staff (e.g. foster parents and authority)."""

    first_name = _model_field(Guardian, "first_name")
    last_name = _model_field(Guardian, "last_name")
    relation = _model_field(Guardian, "relation")
    has_authority = _model_field(Guardian, "has_authority")
    authority_checked_how = _model_field(Guardian, "authority_checked_how")
    authority_checked_on = _model_field(
        Guardian, "authority_checked_on", form_class=DateField, widget=DateInput()
    )
    phone = _model_field(Guardian, "phone")
    email = _model_field(Guardian, "email")
    notes = _notes_field()

    def __init__(self, *args, guardian=None, **kwargs):
        if guardian is not None:
            kwargs.setdefault(
                "initial", {name: getattr(guardian, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)

    def clean_authority_checked_on(self):
        checked_on = self.cleaned_data.get("authority_checked_on")
        if checked_on and checked_on > timezone.localdate():
            raise forms.ValidationError(_("This date lies in the future."))
        return checked_on


class _DatesMixin:
    def clean(self):
        cleaned = super().clean()
        decided_on, valid_until = cleaned.get("decided_on"), cleaned.get("valid_until")
        if decided_on and valid_until and valid_until < decided_on:
            self.add_error("valid_until", _("“Valid until” lies before the date of the decision."))
        return cleaned


def _organisations(child):
    # Sharing within the child's own organisation needs no consent; every other
    # organisation in the system can be named.
    return Organisation.objects.exclude(pk=child.group.location.organisation_id).order_by("name")


class GiverChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, guardian):
        authority = (
            _("holds parental authority") if guardian.has_authority else _("no parental authority")
        )
        return f"{guardian.full_name} ({guardian.get_relation_display()}, {authority})"


class ConsentForm(_DatesMixin, forms.Form):
    """The parents' decision, granted or refused, about one scope."""

    scope = forms.ChoiceField(label=_("What for"), choices=Scope.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label=_("With which organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only when information is shared with an organisation, e.g. the school."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Decision.GRANTED, _("Granted")), (Decision.REFUSED, _("Refused"))],
        widget=forms.RadioSelect,
    )
    given_by = GiverChoiceField(
        label=_("Given or refused by"),
        queryset=Guardian.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who gave or refused the consent.")},
    )
    decided_on = DateField(label=_("Date"), widget=DateInput())
    valid_until = DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when the parents set no end date."),
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            (value, label) for value, label in Method.choices if value != Method.NOT_APPLICABLE
        ],
        widget=forms.RadioSelect,
    )
    child_agreed = forms.BooleanField(label=_("The child agreed too"), required=False)
    notes = _notes_field()

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(child)
        self.fields["given_by"].queryset = child.guardians.order_by("last_name", "first_name")
        self.fields["decided_on"].initial = timezone.localdate()
        age = consent_rules.age_on(child.date_of_birth, timezone.localdate())
        if age >= consent_rules.AGE_OF_OWN_CONSENT:
            self.fields["child_agreed"].help_text = _(
                "%(name)s is 12 or older: the consent counts only when %(name)s agrees too."
            ) % {"name": child.first_name}
        else:
            del self.fields["child_agreed"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Scope.SHARE_WITH_ORGANISATION:
            if not cleaned.get("organisation") and "organisation" not in self.errors:
                self.add_error(
                    "organisation",
                    _("Choose the organisation the information may be shared with."),
                )
        else:
            cleaned["organisation"] = None
        if "child_agreed" in self.fields:
            cleaned["child_agreed"] = cleaned.get("child_agreed") or False
        return cleaned


class WithdrawForm(forms.Form):
    withdrawn_on = DateField(label=_("Withdrawn on"), widget=DateInput())
    notes = _notes_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class LegalGroundForm(_DatesMixin, forms.Form):
    """Information obtained without consent, e.g. by the certified institution
    during a supervision order."""

    organisation = forms.ModelChoiceField(
        label=_("Certified institution"), queryset=Organisation.objects.none()
    )
    legal_ground = forms.CharField(
        label=_("Legal ground"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SHORT_TEXT}),
        help_text=Consent._meta.get_field("legal_ground").help_text,
    )
    decided_on = DateField(label=_("From"), widget=DateInput())
    valid_until = DateField(label=_("Until"), required=False, widget=DateInput())
    notes = _notes_field()

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(child)
        self.fields["decided_on"].initial = timezone.localdate()
