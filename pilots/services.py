"""Writes about who works where. Memberships decide access to children's
cases, so every change to one goes through here and on to the access policy."""

from __future__ import annotations

from django.db import transaction

from alert4you import access_policy

from .models import Membership


@transaction.atomic
def membership_save(
    *,
    actor,
    user,
    organisation,
    role,
    locations=None,
    groups=None,
    start_date=None,
    end_date=None,
    reason: str = "membership saved",
) -> Membership:
    """Create or update the user's membership with this role in this organisation.

    `locations` and `groups` (when given) replace the coverage; the access policy
    then updates what the user may see.
    """
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
    if start_date is not None:
        membership.start_date = start_date
    membership.end_date = end_date
    membership.full_clean(validate_unique=False)
    membership._history_user = actor
    membership._change_reason = reason
    membership.save()
    if locations is not None:
        membership.locations.set(locations)
    if groups is not None:
        membership.groups.set(groups)
    access_policy.on_membership_changed(user)
    return membership


@transaction.atomic
def membership_end(*, actor, membership: Membership, end_date) -> Membership:
    membership.end_date = end_date
    membership.full_clean()
    membership._history_user = actor
    membership._change_reason = "membership ended"
    membership.save()
    access_policy.on_membership_changed(membership.user)
    return membership
