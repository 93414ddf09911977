"""The rows of an indicator's table as HTML, built in Python: a national
table has a row per location, and the template engine took about as long to
render those cells as the database took to count them."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from pilots.charts import escape_text
from pilots.dashboard_types import Table

register = template.Library()

_ROW = (
    "\n                <tr>"
    '\n                  <th scope="row">{label}</th>'
    "\n                  {cells}"
    "\n                </tr>"
    "\n              "
)
_SHOWN = '<td class="text-end" data-display="{display}" data-value="{value}">{display}</td>'
_HIDDEN = '<td class="text-end" data-display="{display}" data-suppressed="true">{display}</td>'


def _text(value) -> str:
    """`{{ value }}` in a template: localised, then escaped."""
    return escape_text(localize(value))


@register.filter
def table_rows(table: Table) -> SafeString:
    """The `<tr>` of every row, as `{% for %}` over the rows rendered them."""
    rows = []
    shown = {}  # (display, value) -> its cell: a table repeats few distinct figures
    for label, figures in table.rows:
        cells = []
        for figure in figures:
            key = (figure.display, str(figure.value))  # 3 and 3.0 differ here
            cell = shown.get(key)
            if cell is None:
                display = _text(figure.display)
                if figure.suppressed:
                    cell = _HIDDEN.format(display=display)
                else:
                    value = escape_text(str(figure.value))  # |stringformat:"s"
                    cell = _SHOWN.format(display=display, value=value)
                shown[key] = cell
            cells.append(cell)
        rows.append(_ROW.format(label=_text(label), cells="".join(cells)))
    return mark_safe("".join(rows))
