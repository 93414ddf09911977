"""Writes about a coach's private calendar feed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from coaching import selectors
from coaching.models import CalendarFeed

from ._base import _require

__all__ = ["calendar_feed_create", "calendar_feed_revoke"]


@transaction.atomic
def calendar_feed_create(*, actor) -> CalendarFeed:
    """A new secret feed URL for the coach; the old one stops working at once."""
    _require(selectors.is_coach(actor))
    calendar_feed_revoke(actor=actor)
    return CalendarFeed.objects.create(coach=actor)


@transaction.atomic
def calendar_feed_revoke(*, actor) -> int:
    """Stop the coach's feed URL (calendars that subscribed get a 404 from now on)."""
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(coach=actor, revoked_at__isnull=True)
    )
    for feed in feeds:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return len(feeds)
