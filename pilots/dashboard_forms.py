"""The filter form above every dashboard: period, location type, municipality."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateField

from .dashboard_types import DashboardFilters, Scope
from .models import Location, LocationType, Municipality

#: Longer periods make monthly tables unreadable and queries slow.
MAX_PERIOD_DAYS = 5 * 366
EARLIEST = datetime.date(2000, 1, 1)


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1), today


def municipalities_for_scope(scope: Scope) -> QuerySet[Municipality]:
    """The municipalities of the scope's locations: the only ones worth filtering on."""
    locations = Location.objects.all()
    if scope.kind == "pilot":
        locations = locations.filter(pilot_id=scope.pilot_id)
    elif scope.kind == "location":
        locations = locations.filter(pk=scope.location_id)
    else:
        locations = locations.filter(pilot__isnull=False)
    return Municipality.objects.filter(pk__in=locations.values("municipality_id")).order_by("name")


class DashboardFilterForm(forms.Form):
    period_start = DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    location_type = forms.ChoiceField(
        label=_("Type of location"),
        required=False,
        choices=[("", _("All types")), *LocationType.choices],
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.none(),
        empty_label=_("All municipalities"),
    )

    def __init__(self, data=None, *, scope: Scope, today: datetime.date | None = None, **kwargs):
        start, end = default_period(today)
        kwargs.setdefault("initial", {"period_start": start, "period_end": end})
        # Only a submitted form is bound: a first visit shows the defaults without errors.
        if data is not None and not any(data.get(name) for name in self.base_fields):
            data = None
        super().__init__(data, **kwargs)
        self.fields["municipality"].queryset = municipalities_for_scope(scope)
        if scope.kind == "location":
            # One location has one type and one municipality: nothing to choose.
            del self.fields["location_type"]
            del self.fields["municipality"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and start < EARLIEST:
            self.add_error("period_start", _("Choose a date in 2000 or later."))
        if start and end:
            if end < start:
                self.add_error("period_end", _("The end of the period comes before its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("period_end", _("Choose a period of at most five years."))
        return cleaned

    def filters(self) -> DashboardFilters:
        """The chosen filters; the defaults when the form is unbound or invalid."""
        start, end = self.initial["period_start"], self.initial["period_end"]
        if not self.is_bound or not self.is_valid():
            return DashboardFilters(period_start=start, period_end=end)
        municipality = self.cleaned_data.get("municipality")
        return DashboardFilters(
            period_start=self.cleaned_data["period_start"],
            period_end=self.cleaned_data["period_end"],
            location_type=self.cleaned_data.get("location_type") or "",
            municipality_id=municipality.pk if municipality else None,
        )
