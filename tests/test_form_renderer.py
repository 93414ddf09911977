"""The form renderer writes selects itself: the markup must be Django's, to the
character, whatever the choices, groups, values and attributes."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from alert4you.form_renderer import FormRenderer

CHOICES = [
    ("", "All"),
    ("a", "Plain"),
    ("b&c", 'Quotes " and <tags> & ampersands'),
    (3, 4567),
    ("Fruit", [("apple", "Apple"), ("pear", "Pear <b>")]),
    ("safe", mark_safe("<em>kept</em>")),
]


class EveryKindOfSelect(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    required = forms.ChoiceField(choices=CHOICES)
    multiple = forms.MultipleChoiceField(choices=CHOICES, required=False)
    typed = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int)
    yes_no = forms.NullBooleanField()
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True, required=False)
    described = forms.ChoiceField(choices=CHOICES, help_text="Pick one", required=False)
    with_attrs = forms.ChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-x": 'a"b', "autofocus": True}),
    )
    empty = forms.ChoiceField(choices=[], required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"single": "b&c", "required": "3", "multiple": ["a", "apple", "safe"], "yes_no": "true"},
        {"single": "nonsense", "typed": "2", "yes_no": "false", "with_attrs": "pear"},
    ],
)
def test_selects_render_exactly_as_django_renders_them(data):
    def rendered(renderer):
        form = EveryKindOfSelect(data, renderer=renderer, initial={"disabled": "a"})
        if data is not None:
            form.is_valid()  # errors add aria-invalid
        return [(str(field.as_widget(attrs={"class": "x"})), str(field)) for field in form]

    assert rendered(FormRenderer()) == rendered(DjangoTemplates())


def test_other_widgets_still_use_their_templates():
    class Other(forms.Form):
        name = forms.CharField()
        flags = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
        pick = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    ours = Other(renderer=FormRenderer()).as_div()
    assert ours == Other(renderer=DjangoTemplates()).as_div()
    assert 'type="radio"' in ours and 'type="checkbox"' in ours


def test_a_select_with_its_own_option_template_goes_through_the_templates(monkeypatch):
    class OwnOptions(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES, widget=OwnOptions)

    renderer = FormRenderer()
    monkeypatch.setattr(
        "alert4you.form_renderer.select_html", lambda widget: pytest.fail("not the templates")
    )
    assert "<select" in str(Form(renderer=renderer)["pick"])


def test_the_site_uses_this_renderer(settings):
    assert settings.FORM_RENDERER == "alert4you.form_renderer.FormRenderer"
