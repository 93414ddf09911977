"""Municipalities, organisations, pilots, locations, groups and staff."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from pilots.models import (
    AgeBand,
    Group,
    Location,
    Membership,
    MembershipGroup,
    MembershipLocation,
    Municipality,
    Organisation,
    Pilot,
    PilotPartner,
    Role,
)

from .base import PASSWORD, PROVINCES, USERNAME_PREFIX, Writer


class StructureSteps(Writer):
    """The organisations and the people working in them."""

    def _organisations(self) -> None:
        s, r = self.scale, self.random
        self.municipalities = self._bulk(
            "municipalities",
            Municipality,
            (
                Municipality(
                    name=f"Gemeente {n + 1:03d}",
                    cbs_code=f"GM{9000 - n:04d}",
                    province=PROVINCES[n % len(PROVINCES)],
                    is_frontrunner=n < 20,
                )
                for n in range(s.municipalities)
            ),
        )
        per_org = 8
        n_childcare = max(1, s.locations // per_org)
        childcare = [
            Organisation(
                name=f"Kinderopvang {n + 1:04d}",
                kind=Organisation.Kind.CHILDCARE,
                municipality=self.municipalities[n % len(self.municipalities)],
            )
            for n in range(n_childcare)
        ]
        youth = [
            Organisation(
                name=f"Jeugdhulp {m.name[-3:]}", kind=Organisation.Kind.YOUTH_CARE, municipality=m
            )
            for m in self.municipalities
        ]
        orgs = self._bulk("organisations", Organisation, childcare + youth)
        self.childcare, self.youth_care = orgs[:n_childcare], orgs[n_childcare:]
        self.pilots = self._bulk(
            "pilots",
            Pilot,
            (
                Pilot(
                    name=f"Alert4you {m.name}",
                    track=Pilot.Track.DAY_CARE,
                    municipality=m,
                    start_date=date(2010, 1, 1) + timedelta(days=30 * i),
                )
                for i, m in enumerate(self.municipalities)
            ),
        )
        self._bulk(
            "pilot partners",
            PilotPartner,
            (
                PilotPartner(pilot=p, organisation=o, role=PilotPartner.Role.COACHING)
                for p, o in zip(self.pilots, self.youth_care, strict=True)
            ),
        )
        types = [Location.Type.KDV] * 5 + [Location.Type.BSO] * 4 + [Location.Type.PLAYGROUP]
        self.locations = self._bulk(
            "locations",
            Location,
            (
                Location(
                    organisation=self.childcare[n % n_childcare],
                    name=f"Locatie {n + 1:05d}",
                    location_type=r.choice(types),
                    city=self.municipalities[n % len(self.municipalities)].name,
                    municipality=self.municipalities[n % len(self.municipalities)],
                    pilot=self.pilots[n % len(self.pilots)],
                )
                for n in range(s.locations)
            ),
        )
        bands = {
            Location.Type.KDV: (AgeBand.BABIES, AgeBand.TODDLERS, AgeBand.PRESCHOOL),
            Location.Type.PLAYGROUP: (AgeBand.PRESCHOOL,) * 3,
            Location.Type.BSO: (AgeBand.YOUNG_SCHOOL, AgeBand.OLDER_SCHOOL, AgeBand.SCHOOL_AGE),
        }
        animals = ("Dolfijnen", "Zeepaardjes", "Vlinders", "Egels", "Uilen", "Vossen")
        self.groups = self._bulk(
            "groups",
            Group,
            (
                Group(
                    location=loc,
                    name=animals[i % len(animals)],
                    age_band=bands[loc.location_type][i % 3],
                    capacity=16,
                )
                for loc in self.locations
                for i in range(s.groups_per_location)
            ),
        )
        self.groups_of = {}
        for group in self.groups:
            self.groups_of.setdefault(group.location_id, []).append(group)

    def _staff(self) -> None:
        s, r = self.scale, self.random
        User = get_user_model()
        n_coaches = max(len(self.youth_care), s.locations // 5)
        n_managers = max(1, s.locations * 2 // 5)
        n_care = max(1, s.locations // 20)
        n_leaders = len(self.pilots)
        n_admins = len(self.childcare)
        n_pms = max(s.locations, s.staff - n_coaches - n_managers - n_care - n_leaders - n_admins)
        plan = (
            [Role.PEDAGOGICAL_STAFF] * n_pms
            + [Role.LOCATION_MANAGER] * n_managers
            + [Role.CARE_COORDINATOR] * n_care
            + [Role.COACH] * n_coaches
            + [Role.PROJECT_LEADER] * n_leaders
            + [Role.ORGANISATION_ADMIN] * n_admins
        )
        password = make_password(PASSWORD)
        users = []
        for n, _role in enumerate(plan):
            first, last = self._name()
            users.append(
                User(
                    username=f"{USERNAME_PREFIX}{n + 1:05d}",
                    first_name=first,
                    last_name=last,
                    email=f"{USERNAME_PREFIX}{n + 1:05d}@example.org",
                    password=password,
                )
            )
        users = self._bulk("staff users", User, users)
        locations_of_org: dict[int, list[Location]] = {}
        for loc in self.locations:
            locations_of_org.setdefault(loc.organisation_id, []).append(loc)
        memberships, covered_locations, covered_groups = [], [], []
        self.pms_of_location: dict[int, list] = {}
        self.coaches_of_org: dict[int, list] = {}
        self.managers: list = []
        start = date(2020, 1, 1)
        for n, (user, role) in enumerate(zip(users, plan, strict=True)):
            locations: list[Location] = []
            groups: list[Group] = []
            if role == Role.PEDAGOGICAL_STAFF:
                loc = self.locations[n % len(self.locations)]
                org, locations, groups = loc.organisation, [loc], self.groups_of[loc.pk]
                self.pms_of_location.setdefault(loc.pk, []).append(user)
            elif role in (Role.LOCATION_MANAGER, Role.CARE_COORDINATOR):
                org = self.childcare[n % len(self.childcare)]
                own = locations_of_org.get(org.pk, [])
                first = r.randrange(len(own)) if own else 0
                locations = own[first : first + 3]
                if role == Role.LOCATION_MANAGER:
                    self.managers.append(user)
            elif role == Role.COACH:
                org = self.youth_care[n % len(self.youth_care)]
                self.coaches_of_org.setdefault(org.pk, []).append(user)
            elif role == Role.PROJECT_LEADER:
                org = self.youth_care[n % len(self.youth_care)]
                self.pilots[n % len(self.pilots)].leader = user
            else:
                org = self.childcare[n % len(self.childcare)]
            membership = Membership(user=user, organisation=org, role=role, start_date=start)
            memberships.append(membership)
            covered_locations.append(locations)
            covered_groups.append(groups)
        memberships = self._bulk("memberships", Membership, memberships)
        self._bulk(
            "membership coverage",
            MembershipLocation,
            (
                MembershipLocation(membership=m, location=loc)
                for m, locs in zip(memberships, covered_locations, strict=True)
                for loc in locs
            ),
        )
        self._bulk(
            "membership coverage",
            MembershipGroup,
            (
                MembershipGroup(membership=m, group=g)
                for m, groups in zip(memberships, covered_groups, strict=True)
                for g in groups
            ),
        )
        # One national programme office with one person watching the national overview.
        office = Organisation.objects.create(
            name="Landelijk programmabureau", kind=Organisation.Kind.OTHER
        )
        watcher = User.objects.create(
            username=f"{USERNAME_PREFIX}programme", password=password, first_name="Programma"
        )
        Membership.objects.create(
            user=watcher, organisation=office, role=Role.PROGRAMME_STAFF, start_date=start
        )
        Pilot.project_leaders.through.objects.bulk_create(
            Pilot.project_leaders.through(pilot_id=p.pk, user_id=p.leader.pk)
            for p in self.pilots
            if getattr(p, "leader", None)
        )
