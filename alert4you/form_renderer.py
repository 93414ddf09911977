"""The form renderer (settings.FORM_RENDERER): Django's own, with <select>
written out in Python.

Django renders a select through a template that includes one template per
option, which includes another for the option's attributes: two template
renders per option. A filter form with a few dozen options spent more time
there than the page spent on its table. `FormRenderer` writes the same markup,
character for character, from the same widget context (what Django decides
about values, selection and attributes is untouched); every other widget, and a
select whose templates were overridden, still goes through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
ATTRS_TEMPLATE = "django/forms/widgets/attrs.html"


def _attrs_html(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option_html(option: dict) -> str:
    # django/forms/widgets/select_option.html (its file ends with a newline)
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{_attrs_html(option['attrs'])}>{conditional_escape(localize(option['label']))}"
        "</option>\n"
    )


def select_html(widget: dict) -> str:
    """django/forms/widgets/select.html for a widget context, as the renderer
    returns it (stripped)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in options:
            parts.append("\n  ")
            parts.append(_option_html(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


class FormRenderer(DjangoTemplates):
    @cached_property
    def _select_templates_are_djangos(self) -> bool:
        # An app may override a widget template; then its markup must win.
        builtin = str(self.engine.engine.dirs[0])
        return all(
            self.get_template(name).origin.name.startswith(builtin)
            for name in (SELECT_TEMPLATE, OPTION_TEMPLATE, ATTRS_TEMPLATE)
        )

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and self._select_templates_are_djangos:
            widget = context["widget"]
            if all(
                option["template_name"] == OPTION_TEMPLATE
                for _name, options, _index in widget["optgroups"]
                for option in options
            ):
                return select_html(widget)
        return super().render(template_name, context, request)
