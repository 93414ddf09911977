"""The pilot dashboard in a real browser: a project leader opens it, narrows the
period, downloads the Excel export and finds in it the figures the page shows;
the page passes axe and fits a tablet.

The journey finds its way by element ids, data attributes and URLs; the
pages are Dutch."""

import datetime
import io
import re

import pytest
from django.urls import include, path, reverse
from django.utils import timezone
from openpyxl import load_workbook

from alert4you import urls as project_urls
from alert4you.models import AuditEntry
from pilots.dashboard_exports import TABLE_FIRST_ROW
from tests.conftest import PASSWORD
from tests.pilots.test_dashboard_views import populate

from .conftest import TABLET, assert_no_horizontal_scroll, log_in

# Until alert4you/urls.py includes the dashboards, the test mounts them itself.
urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "dashboards" for p in urlpatterns):
    urlpatterns.append(path("dashboards/", include("pilots.dashboard_urls")))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.urls(__name__),
]

#: Indicators whose tables the test compares with the export.
COMPARED = ("open_cases", "concerns_by_domain", "agenda_topics")

READ_TABLE = """(key) => {
  const table = document.querySelector(`table[data-indicator-table="${key}"]`);
  if (!table) return null;
  return {
    caption: table.querySelector('caption').textContent.trim(),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [
      tr.querySelector('th').textContent.trim(),
      [...tr.querySelectorAll('td')].map((td) => ({
        display: td.dataset.display,
        value: td.dataset.value === undefined ? null : Number(td.dataset.value),
      })),
    ]),
  };
}"""


@pytest.fixture
def pilot_with_figures(cases, live_server):
    w = cases
    populate(w, w.location, children=12, group=w.group_a)
    return w


def sheet_for(book, title):
    (sheet,) = [s for s in book.worksheets if s["A1"].value == title]
    return sheet


def test_project_leader_filters_downloads_and_finds_the_same_figures(
    page, pilot_with_figures, assert_accessible
):
    w = pilot_with_figures
    url = reverse("dashboards:pilot", args=[w.pilot.uuid])
    log_in(page, w.project_leader.username, PASSWORD)
    page.goto(url)
    assert page.locator("h1[data-scope=pilot]").is_visible()
    assert_accessible(page)

    # A shorter period: the last three months.
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=80)).replace(day=1)
    page.locator("#id_period_start").fill(start.isoformat())
    page.locator("#id_period_end").fill(today.isoformat())
    page.locator("#dashboard-filters-submit").click()
    page.wait_for_url(re.compile(rf"period_start={start.isoformat()}"))
    period = page.locator("#dashboard-period")
    assert period.get_attribute("data-period-start") == start.isoformat()
    assert period.get_attribute("data-period-end") == today.isoformat()
    assert_accessible(page)

    shown = {key: page.evaluate(READ_TABLE, key) for key in COMPARED}
    assert all(shown.values()), shown
    # The twelve children with a case are counted (rounded), not hidden.
    first_cell = shown["open_cases"]["rows"][0][1][0]
    assert first_cell["value"] is not None and first_cell["value"] >= 10
    assert all(table["rows"] for table in shown.values())

    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        book = load_workbook(io.BytesIO(file.read()))

    for key, table in shown.items():
        sheet = sheet_for(book, table["caption"])
        for offset, (label, cells) in enumerate(table["rows"], start=1):
            row = TABLE_FIRST_ROW + offset
            assert sheet.cell(row=row, column=1).value == label, key
            for column, cell in enumerate(cells, start=2):
                exported = sheet.cell(row=row, column=column).value
                if cell["value"] is None:
                    assert exported == cell["display"], (key, label)
                else:
                    assert exported == pytest.approx(cell["value"]), (key, label)

    entry = AuditEntry.objects.get()
    assert (entry.user_id, entry.action) == (w.project_leader.pk, "dashboard_export")
    assert f"period={start.isoformat()}..{today.isoformat()}" in entry.detail

    # The dashboard fits a tablet in the group.
    page.set_viewport_size(TABLET)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
