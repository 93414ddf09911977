"""Pages of a list without counting it.

Django's Paginator runs COUNT(*) over the whole list to number the pages; over
every case (or consent, or visit) a user may see at national scale that count
costs more than the page itself. `paginate` reads one row more than a page
holds instead: that row only tells whether there is a next page. Pages are
numbered in the query string (``?page=3``) and linked "previous / next"
(``templates/includes/_pager.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Page:
    """One page of rows: `object_list` (a list), its `number` (from 1) and whether
    another page follows. `count` is the length of the whole list when this page
    tells it (the last page: every page before it is full), else None."""

    object_list: list
    number: int
    per_page: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row on this page (0 when empty)."""
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def count(self) -> int | None:
        return None if self.has_next else self.end_index


def page_number(value) -> int:
    """The page asked for in the query string; 1 for anything that is not a page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def paginate(rows: Sequence, number, per_page: int) -> Page:
    """Page `number` (a query-string value) of `rows`: a queryset or anything else
    that reads a slice, in the order it is given. One read of `per_page + 1` rows;
    a page past the end shows the first page instead (a second read)."""
    number = page_number(number)
    offset = (number - 1) * per_page
    found = list(rows[offset : offset + per_page + 1])
    if not found and number > 1:
        return paginate(rows, 1, per_page)
    return Page(found[:per_page], number, per_page, has_next=len(found) > per_page)
