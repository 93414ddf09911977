"""Indicators about working with parents: conversations and consents."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from parents.models import Consent, ConversationForm, Decision, ParentConversation
from pilots.dashboard_types import Indicator, Table
from pilots.suppression import count_figure

from ._common import child_in, children_in, every_location, in_period


def conversations_by_form(scope, filters, locations) -> Indicator:
    counts = dict(
        ParentConversation.objects.filter(
            child_in(locations, "case__child"), status=ParentConversation.Status.HELD
        )
        .filter(in_period(filters, "planned_on"))
        .values("form")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("form", "n")
    )
    table = Table([_("Form"), _("Conversations")])
    for value, label in ConversationForm.choices:
        table.rows.append((str(label), [count_figure(counts.get(value, 0))]))
    return Indicator(
        key="conversations_by_form",
        title=_("Parent conversations by form"),
        explanation=_("The parent conversations held in the period, by who led them."),
        chart="bar",
        table=table,
    )


def consents(scope, filters, locations) -> Indicator:
    """Decisions in the period: granted (including those withdrawn later, as a
    withdrawal keeps the row), refused, and withdrawals dated in the period.
    Sharing on a legal ground is no consent and is left out."""
    decided = in_period(filters, "decided_on")
    withdrawn = in_period(filters, "withdrawn_on")
    # Only the rows any count looks at: decided or withdrawn in the period.
    # A semi-join to the children in scope (`child_id IN (...)`) rather than a
    # join to every consent's child: nationally PostgreSQL then hashes the
    # children once, where the join was planned with a parallel worker that
    # hashed all of them again (on a page already computing side by side).
    in_scope = Q() if every_location(locations) else Q(child__in=children_in(locations))
    counts = (
        Consent.objects.filter(in_scope)
        .filter(decided | withdrawn)
        .aggregate(
            granted=Count(
                "id", filter=decided & Q(decision__in=[Decision.GRANTED, Decision.WITHDRAWN])
            ),
            refused=Count("id", filter=decided & Q(decision=Decision.REFUSED)),
            withdrawn=Count("id", filter=withdrawn),
        )
    )
    table = Table(
        [_("Decision"), _("Consents")],
        [
            (str(Decision.GRANTED.label), [count_figure(counts["granted"])]),
            (str(Decision.REFUSED.label), [count_figure(counts["refused"])]),
            (str(Decision.WITHDRAWN.label), [count_figure(counts["withdrawn"])]),
        ],
    )
    return Indicator(
        key="consents",
        title=_("Consents granted, refused and withdrawn"),
        explanation=_("The parents' consent decisions and withdrawals dated in the period."),
        chart="bar",
        table=table,
    )
