"""The indicator table rows built in Python read exactly as the template loop
they replace rendered them."""

from django.template import Context, Template
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from pilots.charts import escape_text
from pilots.dashboard_types import Figure, Table
from pilots.templatetags.dashboard_tables import table_rows

TEMPLATE_LOOP = Template(
    """{% for label, figures in table.rows %}
                <tr>
                  <th scope="row">{{ label }}</th>
                  {% for figure in figures %}<td class="text-end" data-display="{{ figure.display }}"{% if figure.suppressed %} data-suppressed="true"{% else %} data-value="{{ figure.value|stringformat:'s' }}"{% endif %}>{{ figure.display }}</td>{% endfor %}
                </tr>
              {% endfor %}"""  # noqa: E501
)


def _table():
    return Table(
        ["Row", "A", "B"],
        [
            ('Kinderdagverblijf "De <Egel>" & co', [Figure("<5", None), Figure("25", 25)]),
            (mark_safe("<b>safe</b>"), [Figure("40%", 40), Figure("–", None)]),
            (gettext_lazy("Period"), [Figure("3,2", 3.2), Figure("0", 0)]),
            ("2026-01", []),
        ],
    )


def test_rows_match_the_template_loop_they_replace():
    for language in ("nl", "en"):
        with translation.override(language):
            table = _table()
            assert table_rows(table) == TEMPLATE_LOOP.render(Context({"table": table}))


def test_rows_escape_labels_and_figures():
    html = table_rows(_table())
    assert "&lt;Egel&gt;" in html and "<Egel>" not in html
    assert 'data-display="&lt;5" data-suppressed="true">&lt;5</td>' in html
    assert 'data-value="3.2">3,2</td>' in html


def test_an_empty_table_has_no_rows():
    assert table_rows(Table(["Row", "A"])) == ""


def test_escape_text_escapes_as_conditional_escape_does():
    for language in ("nl", "en"):
        with translation.override(language):
            for text in (
                'Kinderdagverblijf "De <Egel>" & co\'s',
                mark_safe("<b>safe</b>"),
                gettext_lazy("Period"),
                3.2,
                "",
            ):
                assert escape_text(text) == conditional_escape(text)
