"""Dashboard figures as CSV and as an Excel workbook.

An export holds exactly what the dashboard shows: every indicator with its
title, its explanation, its table (hidden cells as "<5" or "–", never the
number behind them) and its note. In the workbook each indicator gets its own
sheet and shown numbers are real numbers, so people can chart them again; a
percentage is stored as the shown whole number with a "%" format, so the cell
reads as on the page.

Labels can come from data people typed (location names), so text cells that a
spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .dashboard_types import Figure, Indicator

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Dutch Excel splits CSV on semicolons, and decimal commas ("2,5") need no quoting then.
CSV_DELIMITER = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def safe_text(value) -> str:
    """`value` as text that no spreadsheet runs as a formula."""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def context_lines(heading: str, context: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[safe_text(heading)]] + [[safe_text(k), safe_text(v)] for k, v in context]


def indicators_csv(
    indicators: Sequence[Indicator], *, heading: str, context: Sequence[tuple[str, str]] = ()
) -> bytes:
    """One CSV with a section per indicator. `heading` and `context` (pairs such
    as ("Period", "1 Jan 2024 – 31 Dec 2024")) come first. UTF-8 with a byte
    order mark, so Excel reads accents right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerows(context_lines(heading, context))
    for indicator in indicators:
        writer.writerow([])
        writer.writerow([safe_text(indicator.title)])
        writer.writerow([safe_text(indicator.explanation)])
        writer.writerow([safe_text(c) for c in indicator.table.columns])
        for label, figures in indicator.table.rows:
            writer.writerow([safe_text(label)] + [safe_text(f.display) for f in figures])
        if indicator.note:
            writer.writerow([safe_text(indicator.note)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    base = " ".join(str(title).translate(_SHEET_FORBIDDEN).split()).strip("'") or _("Figures")
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _put_text(cell, value) -> None:
    cell.value = str(value)
    # openpyxl treats any text starting with "=" as a formula; this is text.
    cell.data_type = "s"


def _put_figure(cell, figure: Figure) -> None:
    if figure.suppressed:
        _put_text(cell, figure.display)
        cell.alignment = Alignment(horizontal="right")
        return
    cell.value = figure.value
    if figure.display.endswith("%"):
        cell.number_format = '0"%"'
    elif isinstance(figure.value, float) and not float(figure.value).is_integer():
        cell.number_format = "0.0"
    else:
        cell.number_format = "0"


#: Where each indicator sheet's table starts (1-based): title, explanation, blank.
TABLE_FIRST_ROW = 4


def indicators_xlsx(
    indicators: Sequence[Indicator], *, heading: str, context: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A workbook: a first sheet about the export, then one sheet per indicator
    with its title (A1), explanation (A2) and table from row 4, its note below."""
    workbook = Workbook()
    about = workbook.active
    taken: set[str] = set()
    about.title = sheet_title(_("About"), taken)
    _put_text(about.cell(row=1, column=1), heading)
    about.cell(row=1, column=1).font = Font(bold=True, size=14)
    for row, (key, value) in enumerate(context, start=3):
        _put_text(about.cell(row=row, column=1), key)
        about.cell(row=row, column=1).font = Font(bold=True)
        _put_text(about.cell(row=row, column=2), value)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 60

    for indicator in indicators:
        sheet = workbook.create_sheet(sheet_title(indicator.title, taken))
        _put_text(sheet.cell(row=1, column=1), indicator.title)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        _put_text(sheet.cell(row=2, column=1), indicator.explanation)
        table = indicator.table
        for column, name in enumerate(table.columns, start=1):
            cell = sheet.cell(row=TABLE_FIRST_ROW, column=column)
            _put_text(cell, name)
            cell.font = Font(bold=True)
        for offset, (label, figures) in enumerate(table.rows, start=1):
            row = TABLE_FIRST_ROW + offset
            _put_text(sheet.cell(row=row, column=1), label)
            for column, figure in enumerate(figures, start=2):
                _put_figure(sheet.cell(row=row, column=column), figure)
        if indicator.note:
            _put_text(
                sheet.cell(row=TABLE_FIRST_ROW + len(table.rows) + 2, column=1), indicator.note
            )
        sheet.column_dimensions["A"].width = 30
        for column in range(2, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
        sheet.freeze_panes = sheet.cell(row=TABLE_FIRST_ROW + 1, column=2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
