"""The shapes a dashboard is made of: its scope, its filters, and indicators as
tables of figures that are already safe to show (small cells suppressed,
counts rounded). Computing (pilots.indicators), drawing (pilots.charts) and
exporting (pilots.dashboard_exports) all speak these types."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """Whose figures: one pilot, one location, or every pilot (national)."""

    kind: str  # "pilot" | "location" | "national"
    label: str
    pilot_id: int | None = None
    location_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pilot_id or ''}:{self.location_id or ''}"


@dataclass(frozen=True)
class DashboardFilters:
    period_start: datetime.date
    period_end: datetime.date
    location_type: str = ""  # a pilots.LocationType value, or "" for all
    municipality_id: int | None = None

    @property
    def key(self) -> str:
        raw = f"{self.period_start}:{self.period_end}:{self.location_type}:{self.municipality_id}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Figure:
    """One value as shown: `display` is what people read ("<5", "25", "40%",
    "–"); `value` is the shown number for charts and exports (None when
    suppressed)."""

    display: str
    value: float | int | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Table:
    """Rows of figures under column headings; the first heading names the row
    labels (e.g. "Month")."""

    columns: list[str]
    rows: list[tuple[str, list[Figure]]] = field(default_factory=list)


@dataclass
class Indicator:
    key: str
    title: str
    explanation: str  # one line, shown on the page
    chart: str  # "line" (a trend over months), "bar", or "number"
    table: Table
    note: str = ""  # e.g. why a figure is hidden
