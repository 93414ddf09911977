"""The coach's private iCalendar feed: a page to make or revoke its secret URL,
and the feed itself, which calendars fetch without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import ical, selectors, services


@login_required
@never_cache
def feed_manage(request):
    if not selectors.is_coach(request.user):
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("The calendar link is revoked. It no longer works."))
        else:
            services.calendar_feed_create(actor=request.user)
            messages.success(
                request, _("Your new calendar link is ready. Older links stop working.")
            )
        return redirect("coaching:feed-manage")
    feed = selectors.live_feed(request.user)
    feed_url = None
    if feed is not None:
        feed_url = request.build_absolute_uri(
            reverse("coaching:feed", kwargs={"token": feed.token})
        )
    return render(request, "coaching/feed_manage.html", {"feed": feed, "feed_url": feed_url})


@require_GET
@never_cache
def feed(request, token):
    """The visits of the feed's coach. An unknown or revoked token answers 404."""
    calendar_feed = selectors.feed_by_token(token)
    if calendar_feed is None:
        raise Http404
    coach = calendar_feed.coach
    name = _("Coach visits – %(name)s") % {"name": coach.get_full_name() or coach.get_username()}
    body = ical.visits_calendar(selectors.feed_visits(coach), name=name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="alert4you-visits.ics"'
    # The URL is the secret: keep it out of referrers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
