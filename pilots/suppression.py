"""Figures that can be shown without identifying a child.

Every count of children (or of things about children) goes through here:
- a count of 1 to 4 is shown as "<5";
- a count of 5 or more is rounded to the nearest multiple of 5, so that
  subtracting one filtered figure from another, or a part from a total, never
  gives back an exact small number;
- a share (percentage) is shown only when both the part and the rest are 0 or
  at least 5 and the whole is at least 10;
- a median or mean is shown only when it rests on enough values.
Zero is shown as 0: "nobody" identifies nobody.
"""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from .dashboard_types import Figure

MIN_CELL = 5
ROUND_TO = 5
MIN_SHARE_BASE = 10
MIN_MEDIAN_BASE = 10
MIN_MEAN_BASE = 5

SMALL = "<5"
HIDDEN = "–"


def rounded(n: int) -> int:
    """`n` rounded to the nearest multiple of 5 (halves up)."""
    # floor(n / 5 + 1/2) in integers (an integer divided by 5 never ends in a
    # half): the national dashboard rounds thousands of figures per request,
    # and Decimal arithmetic was most of the time they took.
    return (2 * n + ROUND_TO) // (2 * ROUND_TO) * ROUND_TO


def count_figure(n: int) -> Figure:
    if n < 0:
        raise ValueError("a count cannot be negative")
    if n == 0:
        return Figure("0", 0)
    if n < MIN_CELL:
        return Figure(SMALL, None)
    shown = rounded(n)
    return Figure(str(shown), shown)


def _small_group(n: int) -> bool:
    return 0 < n < MIN_CELL


def share_figure(part: int, whole: int) -> Figure:
    """`part` of `whole` as a whole percentage, or hidden."""
    if part < 0 or part > whole:
        raise ValueError("a part must lie between 0 and the whole")
    if whole < MIN_SHARE_BASE or _small_group(part) or _small_group(whole - part):
        return Figure(HIDDEN, None)
    percent = (200 * part + whole) // (2 * whole)  # 100 * part / whole, halves up
    return Figure(f"{percent}%", percent)


def median_figure(values) -> Figure:
    values = list(values)
    if len(values) < MIN_MEDIAN_BASE:
        return Figure(HIDDEN, None)
    median = Decimal(str(statistics.median(values))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Figure(str(int(median)), int(median))


def mean_figure(total, n: int) -> Figure:
    """The mean of `n` values summing to `total`, one decimal, or hidden."""
    if n < MIN_MEAN_BASE:
        return Figure(HIDDEN, None)
    mean = (Decimal(str(total)) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Figure(number_format(mean, 1), float(mean))
