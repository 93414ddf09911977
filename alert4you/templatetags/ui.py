"""Render form widgets with Bootstrap classes and accessible error wiring."""

from django import forms, template

register = template.Library()


def _css_class(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


@register.simple_tag
def bootstrap_widget(bound_field):
    widget = bound_field.field.widget
    attrs = {"class": _css_class(widget)}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def person_name(user, fallback=""):
    """A user's full name, else their username; `fallback` when there is no user."""
    if not user:
        return fallback
    return user.get_full_name() or user.get_username()
