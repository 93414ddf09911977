"""Every rule of pilots.suppression, table-driven."""

from decimal import Decimal

import pytest
from django.utils import translation

from pilots.suppression import (
    HIDDEN,
    SMALL,
    count_figure,
    mean_figure,
    median_figure,
    rounded,
    share_figure,
)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, 0), (2, 0), (3, 5), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15), (98, 100)],
)
def test_rounded_goes_to_the_nearest_multiple_of_five(n, expected):
    assert rounded(n) == expected


@pytest.mark.parametrize(
    ("n", "display", "value"),
    [
        (0, "0", 0),
        (1, SMALL, None),
        (2, SMALL, None),
        (3, SMALL, None),
        (4, SMALL, None),
        (5, "5", 5),
        (7, "5", 5),
        (8, "10", 10),
        (9, "10", 10),
        (12, "10", 10),
        (13, "15", 15),
        (1234, "1235", 1235),
    ],
)
def test_count_figure_suppresses_small_counts_and_rounds_the_rest(n, display, value):
    figure = count_figure(n)
    assert (figure.display, figure.value) == (display, value)
    assert figure.suppressed == (value is None)


def test_count_figure_refuses_a_negative_count():
    with pytest.raises(ValueError):
        count_figure(-1)


@pytest.mark.parametrize(
    ("part", "whole", "display", "value"),
    [
        (5, 10, "50%", 50),
        (0, 10, "0%", 0),
        (10, 10, "100%", 100),
        (7, 15, "47%", 47),  # 46.7 rounds up
        (5, 40, "13%", 13),  # 12.5 rounds half up
        (4, 10, HIDDEN, None),  # the part is 1–4
        (6, 10, HIDDEN, None),  # the rest is 1–4
        (1, 20, HIDDEN, None),
        (19, 20, HIDDEN, None),
        (5, 9, HIDDEN, None),  # the whole is under 10
        (0, 0, HIDDEN, None),
        (0, 5, HIDDEN, None),
    ],
)
def test_share_figure_hides_shares_that_would_reveal_a_small_group(part, whole, display, value):
    figure = share_figure(part, whole)
    assert (figure.display, figure.value) == (display, value)


@pytest.mark.parametrize(
    ("values", "display", "value"),
    [
        ([], HIDDEN, None),
        (list(range(1, 10)), HIDDEN, None),  # 9 values are too few
        (list(range(1, 11)), "6", 6),  # 5.5 rounds half up
        ([3, 5, 7, 8, 10, 12, 14, 20, 30, 40], "11", 11),
        ([1] * 6 + [100] * 5, "1", 1),  # odd count: the middle value
        ((n for n in range(20)), "10", 10),  # any iterable
    ],
)
def test_median_figure_needs_ten_values(values, display, value):
    figure = median_figure(values)
    assert (figure.display, figure.value) == (display, value)


@pytest.mark.parametrize(
    ("total", "n", "display", "value"),
    [
        (16, 4, HIDDEN, None),  # fewer than 5 values
        (0, 0, HIDDEN, None),
        (18, 5, "3.6", 3.6),
        (Decimal("16.25"), 5, "3.3", 3.3),  # 3.25 rounds half up
        (20, 5, "4.0", 4.0),
        (42, 12, "3.5", 3.5),
    ],
)
def test_mean_figure_needs_five_values_and_shows_one_decimal(total, n, display, value):
    with translation.override("en"):
        figure = mean_figure(total, n)
    assert (figure.display, figure.value) == (display, value)


def test_mean_figure_uses_the_active_language_decimal_separator():
    with translation.override("nl"):
        assert mean_figure(18, 5).display == "3,6"
