"""CSV and XLSX exports hold exactly the figures the dashboard shows."""

import csv
import io

from openpyxl import load_workbook

from pilots import dashboard_exports
from pilots.dashboard_types import Figure, Indicator, Table
from pilots.suppression import count_figure, mean_figure, share_figure


def indicators():
    return [
        Indicator(
            key="open_cases",
            title="Children with an open case",
            explanation="Cases open at the end of the period.",
            chart="number",
            table=Table(columns=["", "Children"], rows=[("Total", [count_figure(23)])]),
        ),
        Indicator(
            key="placements",
            title="Placements",
            explanation="Where children with a case are.",
            chart="bar",
            table=Table(
                columns=["Placement", "Children", "Share"],
                rows=[
                    ("Regular group", [count_figure(40), share_figure(40, 50)]),
                    ("Plus group", [count_figure(3), share_figure(3, 50)]),
                    ('=HYPERLINK("http://evil")', [count_figure(0), share_figure(0, 50)]),
                ],
            ),
            note="Counts under 5 are hidden.",
        ),
        Indicator(
            key="competence_confidence",
            title="Confidence: a/very [long] title that needs cutting for Excel",
            explanation="Means.",
            chart="line",
            table=Table(
                columns=["Quarter", "Observing"],
                rows=[("Q1 2024", [mean_figure(18, 5)]), ("Q2 2024", [mean_figure(8, 3)])],
            ),
        ),
    ]


CONTEXT = [("Period", "1 January 2024 – 31 December 2024"), ("Municipality", "All")]


def read_csv(data: bytes):
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_a_section_per_indicator_with_the_displayed_figures():
    rows = read_csv(dashboard_exports.indicators_csv(indicators(), heading="H", context=CONTEXT))
    assert rows[0] == ["H"]
    assert rows[1] == list(CONTEXT[0])
    start = rows.index(["Placements"])
    assert rows[start + 1] == ["Where children with a case are."]
    assert rows[start + 2] == ["Placement", "Children", "Share"]
    assert rows[start + 3] == ["Regular group", "40", "80%"]
    assert rows[start + 4] == ["Plus group", "<5", "–"]
    assert rows[start + 6] == ["Counts under 5 are hidden."]
    assert ["Total", "25"] in rows  # 23 shown rounded, as on the page
    assert ["Q2 2024", "–"] in rows


def test_csv_never_holds_a_formula():
    rows = read_csv(dashboard_exports.indicators_csv(indicators(), heading="=1+1"))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil")' in cells


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def table(sheet):
    first = dashboard_exports.TABLE_FIRST_ROW
    return [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row)
        if any(cell.value is not None for cell in row)
    ]


def test_xlsx_has_an_about_sheet_and_one_sheet_per_indicator():
    book = load(dashboard_exports.indicators_xlsx(indicators(), heading="H", context=CONTEXT))
    assert len(book.sheetnames) == 4
    about = book.worksheets[0]
    assert about["A1"].value == "H"
    assert (about["A3"].value, about["B3"].value) == CONTEXT[0]
    for sheet, indicator in zip(book.worksheets[1:], indicators(), strict=True):
        assert sheet["A1"].value == indicator.title
        assert sheet["A2"].value == indicator.explanation
        assert len(sheet.title) <= 31
        assert not set(sheet.title) & set("[]:*?/\\")


def test_xlsx_numbers_are_numbers_and_hidden_cells_are_text():
    book = load(dashboard_exports.indicators_xlsx(indicators(), heading="H"))
    rows = table(book.worksheets[2])
    assert rows[0] == ["Placement", "Children", "Share"]
    assert rows[1] == ["Regular group", 40, 80]
    assert rows[2] == ["Plus group", "<5", "–"]
    assert rows[-1][0] == "Counts under 5 are hidden."
    share = book.worksheets[2].cell(row=dashboard_exports.TABLE_FIRST_ROW + 1, column=3)
    assert share.number_format == '0"%"'
    means = table(book.worksheets[3])
    assert means[1] == ["Q1 2024", 3.6]
    assert means[2] == ["Q2 2024", "–"]


def test_xlsx_text_is_never_a_formula():
    book = load(dashboard_exports.indicators_xlsx(indicators(), heading="=1+1"))
    assert book.worksheets[0]["A1"].data_type == "s"
    label = book.worksheets[2].cell(row=dashboard_exports.TABLE_FIRST_ROW + 3, column=1)
    assert label.data_type == "s"
    assert label.value.startswith("=HYPERLINK")


def test_sheet_titles_stay_unique_when_cut():
    taken = set()
    long = "x" * 40
    names = [dashboard_exports.sheet_title(long, taken) for _ in range(3)]
    assert len(set(names)) == 3
    assert all(len(name) <= 31 for name in names)


def test_every_figure_is_exported_as_displayed():
    figures = [Figure("0", 0), Figure("<5", None), Figure("15", 15), Figure("33%", 33)]
    ind = Indicator(
        "k", "T", "E", "bar", Table(["R", "V"], [(str(i), [f]) for i, f in enumerate(figures)])
    )
    rows = read_csv(dashboard_exports.indicators_csv([ind], heading="H"))
    assert [r[1] for r in rows if len(r) == 2 and r[0].isdigit()] == ["0", "<5", "15", "33%"]
    book = load(dashboard_exports.indicators_xlsx([ind], heading="H"))
    assert [r[1] for r in table(book.worksheets[1])[1:]] == [0, "<5", 15, 33]
