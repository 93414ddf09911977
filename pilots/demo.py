"""Demo data: the real structure of the Alert4you programme (2009–2013), with
invented locations, groups and people.

The pilots, their partner organisations and the frontrunner municipalities are
the ones the programme's own documents name. Everything below the pilot level —
locations, addresses, groups, staff — is invented, and the people carry names
no one could mistake for real ones ("Pien Pedagoog").

`load_demo_data()` writes it all on natural keys (a municipality by name, a
location by organisation and name, a user by username, …) and only saves a row
whose values differ from the demo values, so running it again changes nothing
and writes no new history. Rows the demo defines are brought back to their demo
values; rows it does not define are left alone.

Children come with the casework models: add their data as one more structure
here and one more step in `load_demo_data`, after the staff, looking groups up
through `_Loader.groups`.

The monitoring of the pilots (evaluation moments, the PMs' quarterly
questionnaire) is dated from today, like the coaching demo, so the dashboards'
default period has something to show. It is written once, not restored: a
pilot's moments only when it has none, an answer only for a quarter the PM has
not answered.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import (
    AgeBand,
    CompetenceRating,
    EvaluationKind,
    EvaluationMoment,
    Group,
    GroupKind,
    Location,
    LocationType,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    PartnerRole,
    Pilot,
    PilotPartner,
    PilotTrack,
    Province,
    Role,
)
from .monitoring import (
    SCORE_FIELDS,
    evaluation_moment_create,
    quarter_start,
)

DEMO_PASSWORD = "alert4you-demo"
DEMO_EMAIL_DOMAIN = "demo.alert4you.invalid"
CHANGE_REASON = "Demo data"


# --- Shapes of the data ------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityData:
    name: str
    cbs_code: str
    province: str
    is_frontrunner: bool = False


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str
    # Where it works in the programme; None when it works in pilots in several
    # municipalities or nationally.
    municipality: str | None


@dataclass(frozen=True)
class GroupData:
    name: str
    age_band: str
    capacity: int
    kind: str = GroupKind.REGULAR


@dataclass(frozen=True)
class StaffData:
    """An invented staff member of the location's organisation: a location
    manager or care coordinator covers the location, the others the groups named."""

    first_name: str
    last_name: str
    role: str
    groups: tuple[str, ...] = ()

    @property
    def username(self) -> str:
        return slugify(f"{self.first_name} {self.last_name}").replace("-", ".")


@dataclass(frozen=True)
class LocationData:
    organisation: str
    name: str
    location_type: str
    street_address: str
    city: str
    groups: tuple[GroupData, ...]
    staff: tuple[StaffData, ...] = ()


@dataclass(frozen=True)
class PilotData:
    name: str
    track: str
    municipality: str
    start_date: datetime.date
    end_date: datetime.date | None
    kickoff_date: datetime.date | None
    evaluation_date: datetime.date | None
    research_angle: str
    partners: tuple[tuple[str, str], ...]  # (organisation, PartnerRole)
    steering_group: str
    locations: tuple[LocationData, ...]


@dataclass(frozen=True)
class CoachData:
    organisation: str
    first_name: str
    last_name: str

    @property
    def username(self) -> str:
        return slugify(f"{self.first_name} {self.last_name}").replace("-", ".")


@dataclass(frozen=True)
class DemoUserData:
    """One demo login. Locations are (organisation, location) names, groups
    (organisation, location, group) names; all must belong to `organisation`."""

    username: str
    first_name: str
    last_name: str
    role_label: str
    description: str
    role: str | None = None
    organisation: str | None = None
    locations: tuple[tuple[str, str], ...] = ()
    groups: tuple[tuple[str, str, str], ...] = ()
    led_pilots: tuple[str, ...] = ()
    is_superuser: bool = False


class DemoAccount(NamedTuple):
    """What the login page and the terminal show about a demo login."""

    username: str
    role: str
    description: str


# --- Municipalities ----------------------------------------------------------

MUNICIPALITIES = (
    MunicipalityData("Almere", "GM0034", Province.FLEVOLAND, is_frontrunner=True),
    MunicipalityData("Amersfoort", "GM0307", Province.UTRECHT),
    MunicipalityData("Amsterdam", "GM0363", Province.NOORD_HOLLAND, is_frontrunner=True),
    MunicipalityData("Arnhem", "GM0202", Province.GELDERLAND),
    MunicipalityData("Assen", "GM0106", Province.DRENTHE),
    MunicipalityData("Den Helder", "GM0400", Province.NOORD_HOLLAND, is_frontrunner=True),
    MunicipalityData("Diemen", "GM0384", Province.NOORD_HOLLAND, is_frontrunner=True),
    MunicipalityData("Enschede", "GM0153", Province.OVERIJSSEL, is_frontrunner=True),
    MunicipalityData("Groningen", "GM0014", Province.GRONINGEN),
    MunicipalityData("Hellendoorn", "GM0163", Province.OVERIJSSEL),
    MunicipalityData("Hilversum", "GM0402", Province.NOORD_HOLLAND),
    MunicipalityData("Hoorn", "GM0405", Province.NOORD_HOLLAND),
    MunicipalityData("Leiden", "GM0546", Province.ZUID_HOLLAND),
    # Lent, where the 2013 pilot ran, is part of Nijmegen.
    MunicipalityData("Nijmegen", "GM0268", Province.GELDERLAND),
    MunicipalityData("Rotterdam", "GM0599", Province.ZUID_HOLLAND),
)


# --- Organisations -----------------------------------------------------------

_CHILDCARE = OrganisationKind.CHILDCARE
PROGRAMME_OFFICE = "Programmabureau Alert4you"
_YOUTH_CARE = OrganisationKind.YOUTH_CARE

ORGANISATIONS = (
    # Day-care pilots 2009–2011
    OrganisationData("Speelwerk", _CHILDCARE, "Assen"),
    OrganisationData("Yorneo", _YOUTH_CARE, "Assen"),
    OrganisationData("Partou", _CHILDCARE, None),
    OrganisationData("MOC 't Kabouterhuis", _YOUTH_CARE, "Amsterdam"),
    OrganisationData("B4Kids", _CHILDCARE, "Leiden"),
    OrganisationData("Cardea", _YOUTH_CARE, "Leiden"),
    OrganisationData("SKA", _CHILDCARE, "Amersfoort"),
    OrganisationData("Trajectum", _YOUTH_CARE, "Amersfoort"),
    OrganisationData("Kinderopvang Den Helder Texel", _CHILDCARE, "Den Helder"),
    OrganisationData("Parlan", _YOUTH_CARE, None),
    # BSO pilots 2012–2013
    OrganisationData("SKON", _CHILDCARE, "Amersfoort"),
    OrganisationData("Zandbergen", _YOUTH_CARE, None),
    OrganisationData("SKAR", _CHILDCARE, "Arnhem"),
    OrganisationData("Lindenhout", _YOUTH_CARE, "Arnhem"),
    OrganisationData("ASKA", _CHILDCARE, "Assen"),
    OrganisationData("Pinokkio", _CHILDCARE, "Assen"),
    OrganisationData("SKSG", _CHILDCARE, "Groningen"),
    OrganisationData("Elker", _YOUTH_CARE, "Groningen"),
    OrganisationData("SKWT", _CHILDCARE, "Hellendoorn"),
    OrganisationData("Trias", _YOUTH_CARE, "Hellendoorn"),
    OrganisationData("BINK", _CHILDCARE, "Hilversum"),
    OrganisationData("Trompendaal", _YOUTH_CARE, "Hilversum"),
    OrganisationData("SKH", _CHILDCARE, "Hoorn"),
    OrganisationData("KindeRdam", _CHILDCARE, "Rotterdam"),
    OrganisationData("TriviumLindenhof", _YOUTH_CARE, "Rotterdam"),
    # Lent 2013
    OrganisationData("Basisschool Talent", OrganisationKind.SCHOOL, "Nijmegen"),
    # An invented primary school next to the Assen BSO, for the consent demo.
    OrganisationData("OBS Het Kompas", OrganisationKind.SCHOOL, "Assen"),
    OrganisationData("Kinderopvang KION", _CHILDCARE, "Nijmegen"),
    OrganisationData("JGZ Nijmegen", OrganisationKind.YOUTH_HEALTH, "Nijmegen"),
    OrganisationData("Entrea", _YOUTH_CARE, "Nijmegen"),
    # The national programme itself, for the programme staff's demo login.
    OrganisationData(PROGRAMME_OFFICE, OrganisationKind.OTHER, None),
)


# --- Pilots, their locations, groups and staff -------------------------------

_PM = Role.PEDAGOGICAL_STAFF
_MANAGER = Role.LOCATION_MANAGER
_TEACHER = Role.SCHOOL_STAFF
# Roles that cover a whole location rather than groups.
LOCATION_ROLES = (Role.LOCATION_MANAGER, Role.CARE_COORDINATOR)
_LEAD = PartnerRole.LEAD
_CHILDCARE_PARTNER = PartnerRole.CHILDCARE
_COACHING = PartnerRole.COACHING

# The research of the day-care pilots, as the final report sums it up.
DAY_CARE_RESEARCH = (
    "Early signalling of striking behaviour (growing into early stimulation), "
    "support for the children and support for their parents."
)
# The three angles the eight BSO pilots were divided over (newsletter, 2012).
ANGLE_REGULAR_BSO = "What support does a regular BSO need to also care for special children?"
ANGLE_KIND_OF_BSO = (
    "What kind of BSO do special children need and how do partners organise an effective approach?"
)
ANGLE_WORK_FLOOR = (
    "Is cooperation on the work floor between education, childcare and care an "
    "effective way to support special children in their own environment?"
)
RESEARCH_ANGLES = (ANGLE_REGULAR_BSO, ANGLE_KIND_OF_BSO, ANGLE_WORK_FLOOR)

# Day-care pilots ran until the BSO phase began; the Kinderopvangfonds admitted
# the eight BSO pilots on 6 March 2012, their administrative kick-off was on
# 15 May 2012 and the research ran until autumn 2013.
DAY_CARE_END = datetime.date(2011, 12, 31)
DAY_CARE_EVALUATION = datetime.date(2011, 11, 15)
BSO_START = datetime.date(2012, 3, 6)
BSO_KICKOFF = datetime.date(2012, 5, 15)
BSO_END = datetime.date(2013, 11, 30)
BSO_EVALUATION = datetime.date(2013, 10, 15)


def _day_care(name, municipality, start, partners, steering_group, locations):
    return PilotData(
        name=name,
        track=PilotTrack.DAY_CARE,
        municipality=municipality,
        start_date=start,
        end_date=DAY_CARE_END,
        kickoff_date=start,
        evaluation_date=DAY_CARE_EVALUATION,
        research_angle=DAY_CARE_RESEARCH,
        partners=partners,
        steering_group=steering_group,
        locations=locations,
    )


def _after_school(name, municipality, angle, partners, steering_group, locations):
    return PilotData(
        name=name,
        track=PilotTrack.AFTER_SCHOOL,
        municipality=municipality,
        start_date=BSO_START,
        end_date=BSO_END,
        kickoff_date=BSO_KICKOFF,
        evaluation_date=BSO_EVALUATION,
        research_angle=angle,
        partners=partners,
        steering_group=steering_group,
        locations=locations,
    )


def _steering(*organisations: str, municipality: str) -> str:
    members = [f"A director of {name}" for name in organisations]
    members.append(f"The youth policy officer of the municipality of {municipality}")
    return "\n".join(members)


PILOTS = (
    # --- The first pilot phase: day care 0–4 --------------------------------
    _day_care(
        "Alert4you Assen 0-4",
        "Assen",
        datetime.date(2009, 2, 1),
        (("Speelwerk", _LEAD), ("Yorneo", _COACHING)),
        _steering("Speelwerk", "Yorneo", municipality="Assen"),
        (
            LocationData(
                "Speelwerk",
                "KDV De Kikker",
                LocationType.KDV,
                "Voorbeeldlaan 1",
                "Assen",
                (
                    GroupData("Dolfijnen", AgeBand.DAY_CARE, 12),
                    GroupData("Zeepaardjes", AgeBand.DAY_CARE, 16),
                    GroupData("Kikkervisjes", AgeBand.BABIES, 12),
                ),
                # The demo logins work here too (see DEMO_USERS).
                (
                    StaffData("Kees", "Kinderopvang", _PM, ("Zeepaardjes",)),
                    StaffData("Saar", "Schommel", _PM, ("Kikkervisjes",)),
                ),
            ),
        ),
    ),
    _day_care(
        "Alert4you Amsterdam 0-4",
        "Amsterdam",
        datetime.date(2009, 2, 1),
        (("Partou", _LEAD), ("MOC 't Kabouterhuis", _COACHING)),
        _steering("Partou", "MOC 't Kabouterhuis", municipality="Amsterdam"),
        (
            LocationData(
                "Partou",
                "KDV Het Uilennest",
                LocationType.KDV,
                "Demoweg 12",
                "Amsterdam",
                (
                    GroupData("Uiltjes", AgeBand.BABIES, 12),
                    GroupData("Vosjes", AgeBand.PRESCHOOL, 16),
                ),
                (
                    StaffData("Wim", "Wipwap", _MANAGER),
                    StaffData("Gijs", "Glijbaan", _PM, ("Uiltjes",)),
                    StaffData("Zara", "Zandbak", _PM, ("Vosjes",)),
                ),
            ),
            LocationData(
                "Partou",
                "KDV De Boomhut",
                LocationType.KDV,
                "Proefpad 3",
                "Amsterdam",
                (
                    GroupData("Eekhoorntjes", AgeBand.DAY_CARE, 12),
                    GroupData("Egeltjes", AgeBand.DAY_CARE, 14),
                ),
                (
                    StaffData("Bas", "Blokkendoos", _MANAGER),
                    StaffData("Kim", "Kleurpotlood", _PM, ("Eekhoorntjes",)),
                    StaffData("Femke", "Fruithap", _PM, ("Egeltjes",)),
                ),
            ),
        ),
    ),
    _day_care(
        "Alert4you Leiden 0-4",
        "Leiden",
        datetime.date(2009, 3, 1),
        (("B4Kids", _LEAD), ("Cardea", _COACHING)),
        _steering("B4Kids", "Cardea", municipality="Leiden"),
        (
            LocationData(
                "B4Kids",
                "KDV De Sleutelbloem",
                LocationType.KDV,
                "Voorbeeldstraat 7",
                "Leiden",
                (
                    GroupData("Bijtjes", AgeBand.BABIES, 9),
                    GroupData("Lieveheersbeestjes", AgeBand.TODDLERS, 12),
                    GroupData("Rupsjes", AgeBand.PRESCHOOL, 16),
                ),
                (
                    StaffData("Daan", "Dutje", _MANAGER),
                    StaffData("Roos", "Regenlaars", _PM, ("Bijtjes",)),
                    StaffData("Sem", "Stoepkrijt", _PM, ("Lieveheersbeestjes", "Rupsjes")),
                ),
            ),
        ),
    ),
    # Joined during the pilot phase.
    _day_care(
        "Alert4you Amersfoort 0-4",
        "Amersfoort",
        datetime.date(2010, 4, 1),
        (("SKA", _LEAD), ("Trajectum", _COACHING)),
        _steering("SKA", "Trajectum", municipality="Amersfoort"),
        (
            LocationData(
                "SKA",
                "KDV De Kei",
                LocationType.KDV,
                "Demoweg 5",
                "Amersfoort",
                (
                    GroupData("Kabouters", AgeBand.DAY_CARE, 12),
                    GroupData("Reuzen", AgeBand.PRESCHOOL, 16),
                ),
                (
                    StaffData("Kiki", "Knikker", _MANAGER),
                    StaffData("Tom", "Tekenpapier", _PM, ("Kabouters",)),
                    StaffData("Puck", "Puzzelstuk", _PM, ("Reuzen",)),
                ),
            ),
        ),
    ),
    _day_care(
        "Alert4you Den Helder 0-4",
        "Den Helder",
        datetime.date(2010, 9, 1),
        (("Kinderopvang Den Helder Texel", _LEAD), ("Parlan", _COACHING)),
        _steering("Kinderopvang Den Helder Texel", "Parlan", municipality="Den Helder"),
        (
            LocationData(
                "Kinderopvang Den Helder Texel",
                "KDV De Vuurtoren",
                LocationType.KDV,
                "Proefpad 21",
                "Den Helder",
                (
                    GroupData("Zeesterren", AgeBand.BABIES, 12),
                    GroupData("Krabbetjes", AgeBand.DAY_CARE, 16),
                ),
                (
                    StaffData("Vera", "Vingerverf", _MANAGER),
                    StaffData("Lars", "Liedjesboek", _PM, ("Zeesterren",)),
                    StaffData("Karin", "Klimrek", _PM, ("Krabbetjes",)),
                ),
            ),
            LocationData(
                "Kinderopvang Den Helder Texel",
                "Peuterspeelzaal De Schelp",
                LocationType.PLAYGROUP,
                "Voorbeeldplein 4",
                "Den Helder",
                (
                    GroupData("Meeuwtjes", AgeBand.PRESCHOOL, 16),
                    GroupData("Zeehondjes", AgeBand.PRESCHOOL, 14),
                ),
                (
                    StaffData("Koen", "Kringgesprek", _PM, ("Meeuwtjes",)),
                    StaffData("Noor", "Nachtlampje", _PM, ("Zeehondjes",)),
                ),
            ),
        ),
    ),
    # --- Alert4you in de BSO: eight pilots from 2012 -------------------------
    _after_school(
        "Alert4you Amersfoort BSO",
        "Amersfoort",
        ANGLE_KIND_OF_BSO,
        (
            ("SKA", _LEAD),
            ("SKON", _CHILDCARE_PARTNER),
            ("Trajectum", _COACHING),
            ("Zandbergen", _COACHING),
        ),
        _steering("SKA", "SKON", "Trajectum", "Zandbergen", municipality="Amersfoort"),
        (
            LocationData(
                "SKA",
                "BSO Het Avontuur",
                LocationType.BSO,
                "Voorbeeldstraat 30",
                "Amersfoort",
                (
                    GroupData("Ontdekkers", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Avonturiers", AgeBand.OLDER_SCHOOL, 24),
                ),
                (
                    StaffData("Mees", "Muziekdoos", _MANAGER),
                    StaffData("Hanna", "Handpop", _PM, ("Ontdekkers",)),
                    StaffData("Jip", "Jojo", _PM, ("Avonturiers",)),
                ),
            ),
            LocationData(
                "SKON",
                "BSO-plus De Uitkijk",
                LocationType.BSO_PLUS,
                "Demoweg 44",
                "Amersfoort",
                (
                    GroupData("Verkenners", AgeBand.SCHOOL_AGE, 8, GroupKind.PLUS),
                    GroupData("Speurneuzen", AgeBand.SCHOOL_AGE, 10, GroupKind.PLUS),
                ),
                (
                    StaffData("Bo", "Boterham", _MANAGER),
                    StaffData("Tess", "Tussendoortje", _PM, ("Verkenners", "Speurneuzen")),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Arnhem BSO",
        "Arnhem",
        ANGLE_REGULAR_BSO,
        (("SKAR", _LEAD), ("Lindenhout", _COACHING)),
        _steering("SKAR", "Lindenhout", municipality="Arnhem"),
        (
            LocationData(
                "SKAR",
                "BSO De Sprong",
                LocationType.BSO,
                "Proefpad 9",
                "Arnhem",
                (
                    GroupData("Springers", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Kangoeroes", AgeBand.OLDER_SCHOOL, 22),
                    GroupData("Hinkelaars", AgeBand.SCHOOL_AGE, 26),
                ),
                (
                    StaffData("Rik", "Rammelaar", _MANAGER),
                    StaffData("Eva", "Eendjesvoer", _PM, ("Springers",)),
                    StaffData("Otto", "Ontdekhoek", _PM, ("Kangoeroes", "Hinkelaars")),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Assen BSO",
        "Assen",
        ANGLE_WORK_FLOOR,
        (
            ("Speelwerk", _LEAD),
            ("ASKA", _CHILDCARE_PARTNER),
            ("Pinokkio", _CHILDCARE_PARTNER),
            ("Yorneo", _COACHING),
        ),
        _steering("Speelwerk", "ASKA", "Pinokkio", "Yorneo", municipality="Assen"),
        (
            LocationData(
                "Speelwerk",
                "BSO De Speelberg",
                LocationType.BSO,
                "Voorbeeldlaan 15",
                "Assen",
                (
                    GroupData("Bosuilen", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Boomklevers", AgeBand.OLDER_SCHOOL, 24),
                ),
                (
                    StaffData("Lotte", "Luchtballon", _MANAGER),
                    StaffData("Max", "Modderpoel", _PM, ("Bosuilen",)),
                    StaffData("Fleur", "Fietsbel", _PM, ("Boomklevers",)),
                ),
            ),
            LocationData(
                "ASKA",
                "BSO-plus De Haven",
                LocationType.BSO_PLUS,
                "Demoweg 2",
                "Assen",
                (
                    GroupData("Bootjes", AgeBand.SCHOOL_AGE, 8, GroupKind.PLUS),
                    GroupData("Vuurtorens", AgeBand.SCHOOL_AGE, 10, GroupKind.PLUS),
                ),
                (
                    StaffData("Sanne", "Speeldeeg", _MANAGER),
                    StaffData("Teun", "Trampoline", _PM, ("Bootjes", "Vuurtorens")),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Groningen BSO",
        "Groningen",
        ANGLE_REGULAR_BSO,
        (("SKSG", _LEAD), ("Elker", _COACHING)),
        _steering("SKSG", "Elker", municipality="Groningen"),
        (
            LocationData(
                "SKSG",
                "BSO De Wadloper",
                LocationType.BSO,
                "Voorbeeldstraat 88",
                "Groningen",
                (
                    GroupData("Zeehonden", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Wadlopers", AgeBand.OLDER_SCHOOL, 30),
                ),
                (
                    StaffData("Bram", "Bellenblaas", _MANAGER),
                    StaffData("Krijn", "Krijtbord", _PM, ("Zeehonden",)),
                    StaffData("Pim", "Poppenhoek", _PM, ("Wadlopers",)),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Hellendoorn BSO",
        "Hellendoorn",
        ANGLE_WORK_FLOOR,
        (("SKWT", _LEAD), ("Trias", _COACHING)),
        _steering("SKWT", "Trias", municipality="Hellendoorn"),
        (
            LocationData(
                "SKWT",
                "BSO De Heuvelrug",
                LocationType.BSO,
                "Proefpad 16",
                "Hellendoorn",
                (
                    GroupData("Heuvelklimmers", AgeBand.SCHOOL_AGE, 22),
                    GroupData("Dassen", AgeBand.OLDER_SCHOOL, 24),
                    # A quiet plus group inside a regular BSO.
                    GroupData("Rustpunt", AgeBand.SCHOOL_AGE, 8, GroupKind.PLUS),
                ),
                (
                    StaffData("Hidde", "Hinkelpad", _MANAGER),
                    StaffData("Sterre", "Springtouw", _PM, ("Heuvelklimmers", "Rustpunt")),
                    StaffData("Vince", "Vliegeraar", _PM, ("Dassen",)),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Hilversum BSO",
        "Hilversum",
        ANGLE_KIND_OF_BSO,
        (("BINK", _LEAD), ("Zandbergen", _COACHING), ("Trompendaal", _COACHING)),
        _steering("BINK", "Zandbergen", "Trompendaal", municipality="Hilversum"),
        (
            LocationData(
                "BINK",
                "BSO De Zendmast",
                LocationType.BSO,
                "Voorbeeldlaan 60",
                "Hilversum",
                (
                    GroupData("Zenders", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Ontvangers", AgeBand.OLDER_SCHOOL, 26),
                ),
                (
                    StaffData("Kaat", "Kastanje", _MANAGER),
                    StaffData("Rens", "Rijmpje", _PM, ("Zenders",)),
                    StaffData("Sofie", "Slaapzak", _PM, ("Ontvangers",)),
                ),
            ),
            LocationData(
                "BINK",
                "BSO-plus Het Baken",
                LocationType.BSO_PLUS,
                "Demoweg 61",
                "Hilversum",
                (
                    GroupData("Bakenwachters", AgeBand.SCHOOL_AGE, 10, GroupKind.PLUS),
                    GroupData("Lichtjes", AgeBand.YOUNG_SCHOOL, 8, GroupKind.PLUS),
                ),
                (
                    StaffData("Britt", "Broodtrommel", _MANAGER),
                    StaffData("Dewi", "Drinkbeker", _PM, ("Bakenwachters", "Lichtjes")),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Hoorn BSO",
        "Hoorn",
        ANGLE_REGULAR_BSO,
        (("SKH", _LEAD), ("Parlan", _COACHING)),
        _steering("SKH", "Parlan", municipality="Hoorn"),
        (
            LocationData(
                "SKH",
                "BSO Het Kompas",
                LocationType.BSO,
                "Proefpad 33",
                "Hoorn",
                (
                    GroupData("Matrozen", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Stuurlui", AgeBand.OLDER_SCHOOL, 24),
                ),
                (
                    StaffData("Kyra", "Kleurplaat", _MANAGER),
                    StaffData("Kai", "Kralen", _PM, ("Matrozen",)),
                    StaffData("Wout", "Waterbaan", _PM, ("Stuurlui",)),
                ),
            ),
        ),
    ),
    _after_school(
        "Alert4you Rotterdam BSO",
        "Rotterdam",
        ANGLE_KIND_OF_BSO,
        (("KindeRdam", _LEAD), ("TriviumLindenhof", _COACHING)),
        _steering("KindeRdam", "TriviumLindenhof", municipality="Rotterdam"),
        (
            LocationData(
                "KindeRdam",
                "BSO De Brug",
                LocationType.BSO,
                "Voorbeeldkade 10",
                "Rotterdam",
                (
                    GroupData("Sleepbootjes", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Havenkranen", AgeBand.OLDER_SCHOOL, 28),
                ),
                (
                    StaffData("Eline", "Emmertje", _MANAGER),
                    StaffData("Hugo", "Hobbelpaard", _PM, ("Sleepbootjes",)),
                    StaffData("Kobus", "Kiekeboe", _PM, ("Havenkranen",)),
                ),
            ),
            LocationData(
                "KindeRdam",
                "BSO-plus De Kade",
                LocationType.BSO_PLUS,
                "Voorbeeldkade 12",
                "Rotterdam",
                (
                    GroupData("Loodsen", AgeBand.SCHOOL_AGE, 8, GroupKind.PLUS),
                    GroupData("Ankers", AgeBand.SCHOOL_AGE, 10, GroupKind.PLUS),
                ),
                (
                    StaffData("Valentijn", "Verstoppertje", _MANAGER),
                    StaffData("Tijn", "Tikkertje", _PM, ("Loodsen",)),
                    StaffData("Kato", "Kruipmat", _PM, ("Ankers",)),
                ),
            ),
        ),
    ),
    # --- 2013: school, childcare, JGZ and youth care together in Lent -------
    PilotData(
        name="Alert4you Lent",
        track=PilotTrack.SCHOOL,
        municipality="Nijmegen",
        start_date=datetime.date(2013, 9, 1),
        end_date=None,
        kickoff_date=datetime.date(2013, 9, 1),
        evaluation_date=None,
        research_angle=ANGLE_WORK_FLOOR,
        partners=(
            ("Basisschool Talent", _LEAD),
            ("Kinderopvang KION", _CHILDCARE_PARTNER),
            ("JGZ Nijmegen", PartnerRole.HEALTH),
            ("Entrea", _COACHING),
        ),
        steering_group=_steering(
            "Basisschool Talent",
            "Kinderopvang KION",
            "JGZ Nijmegen",
            "Entrea",
            municipality="Nijmegen",
        ),
        locations=(
            LocationData(
                "Basisschool Talent",
                "Talent onderbouw",
                LocationType.SCHOOL,
                "Demoweg 100",
                "Lent",
                (
                    GroupData("Groep 1-2 Egels", AgeBand.YOUNG_SCHOOL, 26),
                    GroupData("Groep 1-2 Mollen", AgeBand.YOUNG_SCHOOL, 26),
                    GroupData("Groep 3 Uilen", AgeBand.OLDER_SCHOOL, 28),
                ),
                (
                    StaffData("Isa", "Inloopochtend", Role.CARE_COORDINATOR),
                    StaffData("Guus", "Gymzaal", _TEACHER, ("Groep 1-2 Egels", "Groep 1-2 Mollen")),
                    StaffData("Jet", "Jassenkapstok", _TEACHER, ("Groep 3 Uilen",)),
                ),
            ),
            LocationData(
                "Kinderopvang KION",
                "BSO De Boomgaard",
                LocationType.BSO,
                "Demoweg 102",
                "Lent",
                (
                    GroupData("Appeltjes", AgeBand.YOUNG_SCHOOL, 20),
                    GroupData("Peren", AgeBand.OLDER_SCHOOL, 22),
                ),
                (
                    StaffData("Fenna", "Fopspeen", _MANAGER),
                    StaffData("Stijn", "Stapelbed", _PM, ("Appeltjes",)),
                    StaffData("Lana", "Lunchpakket", _PM, ("Peren",)),
                ),
            ),
        ),
    ),
)


# One invented coach per coaching partner; coaching assignments come later.
COACHES = (
    CoachData("MOC 't Kabouterhuis", "Olga", "Observatie"),
    CoachData("Cardea", "Hetty", "Hulpvraag"),
    CoachData("Trajectum", "Tineke", "Tipsenbundel"),
    CoachData("Parlan", "Pieter", "Plusgroep"),
    CoachData("Zandbergen", "Gert", "Groepsklimaat"),
    CoachData("Lindenhout", "Bart", "Begeleiding"),
    CoachData("Elker", "Evert", "Expertise"),
    CoachData("Trias", "Willem", "Werkvloer"),
    CoachData("Trompendaal", "Ria", "Rondetafel"),
    CoachData("TriviumLindenhof", "Ans", "Ambulant"),
    CoachData("Entrea", "Sietske", "Signaal"),
)


# --- The demo logins: one per role, in the Assen pilots ----------------------

_ASSEN_KDV = ("Speelwerk", "KDV De Kikker")
_ASSEN_BSO = ("Speelwerk", "BSO De Speelberg")

DEMO_USERS = (
    DemoUserData(
        username="demo-pm",
        first_name="Pien",
        last_name="Pedagoog",
        role=Role.PEDAGOGICAL_STAFF,
        role_label=Role.PEDAGOGICAL_STAFF.label,
        description=_("Works in group Dolfijnen of KDV De Kikker (Speelwerk, Assen)."),
        organisation="Speelwerk",
        groups=(("Speelwerk", "KDV De Kikker", "Dolfijnen"),),
    ),
    DemoUserData(
        username="demo-coach",
        first_name="Coby",
        last_name="Coach",
        role=Role.COACH,
        role_label=Role.COACH.label,
        description=_("Coach at Yorneo, the youth-care partner of the Assen pilots."),
        organisation="Yorneo",
    ),
    DemoUserData(
        username="demo-manager",
        first_name="Mirjam",
        last_name="Manager",
        role=Role.LOCATION_MANAGER,
        role_label=Role.LOCATION_MANAGER.label,
        description=_("Manages KDV De Kikker (Speelwerk, Assen)."),
        organisation="Speelwerk",
        locations=(_ASSEN_KDV,),
    ),
    DemoUserData(
        username="demo-coordinator",
        first_name="Cor",
        last_name="Coördinator",
        role=Role.CARE_COORDINATOR,
        role_label=Role.CARE_COORDINATOR.label,
        description=_("Pedagogue of Speelwerk for KDV De Kikker and BSO De Speelberg (Assen)."),
        organisation="Speelwerk",
        locations=(_ASSEN_KDV, _ASSEN_BSO),
    ),
    DemoUserData(
        username="demo-projectleader",
        first_name="Petra",
        last_name="Projectleider",
        role=Role.PROJECT_LEADER,
        role_label=Role.PROJECT_LEADER.label,
        description=_("Leads the Assen pilots: day care 0–4 and after-school care."),
        organisation="Speelwerk",
        led_pilots=("Alert4you Assen 0-4", "Alert4you Assen BSO"),
    ),
    DemoUserData(
        username="demo-orgadmin",
        first_name="Otto",
        last_name="Organisatie",
        role=Role.ORGANISATION_ADMIN,
        role_label=Role.ORGANISATION_ADMIN.label,
        description=_("Manages the people, locations and groups of Speelwerk."),
        organisation="Speelwerk",
    ),
    DemoUserData(
        username="demo-programme",
        first_name="Paula",
        last_name="Programma",
        role=Role.PROGRAMME_STAFF,
        role_label=Role.PROGRAMME_STAFF.label,
        description=_(
            "Works at the national programme office: sees the dashboards of every pilot "
            "and the national overview."
        ),
        organisation=PROGRAMME_OFFICE,
    ),
    DemoUserData(
        username="demo-platform",
        first_name="Platform",
        last_name="Administrator",
        role_label=_("Platform administrator"),
        description=_("Superuser for the Django admin; belongs to no organisation."),
        is_superuser=True,
    ),
)

DEMO_ACCOUNTS = [DemoAccount(u.username, u.role_label, u.description) for u in DEMO_USERS]


# --- Monitoring: evaluation moments and the competence questionnaire --------


@dataclass(frozen=True)
class FindingsData:
    success_factors: str
    bottlenecks: str
    agreed_actions: str


KICKOFF_ACTIONS = (
    "Every location names one contact person for the coach.\n"
    "The first coach visits are planned within a month.\n"
    "The steering group meets every quarter."
)

#: What an interim evaluation found, per track; the pilots of a track take turns.
INTERIM_FINDINGS = {
    PilotTrack.DAY_CARE: (
        FindingsData(
            "Coach visits on a fixed rhythm made PMs bring questions earlier.\n"
            "The observation form gives the team one language to talk about a child.",
            "Two groups changed staff: the new PMs have not had the training yet.\n"
            "Parents do not always know when the coach observes in the group.",
            "New PMs join the training in the next session.\n"
            "The location manager announces the coach's visits in the parents' newsletter.",
        ),
        FindingsData(
            "Short lines with the youth-care partner: a question is answered within a week.\n"
            "The team discusses one child in every team meeting.",
            "Observing takes a PM out of the group; on busy days it is skipped.\n"
            "Referrals to further care still wait months.",
            "Observation time goes into the roster.\n"
            "The steering group raises the waiting list with the municipality.",
        ),
    ),
    PilotTrack.AFTER_SCHOOL: (
        FindingsData(
            "Teachers and BSO staff talk at pick-up once a week about what they see.\n"
            "The BSO-plus group gives children a calm landing after school.",
            "Parents' consent to talk with the school often comes late.\n"
            "Holiday weeks bring in flexible staff who do not know the children.",
            "Ask for consent in the intake conversation.\n"
            "A one-page profile per child for the holiday staff.",
        ),
        FindingsData(
            "Coach visits on a fixed rhythm made PMs bring questions earlier.\n"
            "The group plan makes the approach visible to every colleague.",
            "Funding after the pilot is not yet settled.\n"
            "The BSO shares its rooms with the school, which leaves no quiet corner.",
            "The project leader writes a proposal for the municipality before the summer.\n"
            "Agree with the school on one quiet room after three o'clock.",
        ),
    ),
    PilotTrack.SCHOOL: (
        FindingsData(
            "School, childcare, JGZ and youth care work as one team around the child.\n"
            "The youth nurse joins the team meeting every month.",
            "Each partner keeps its own file; agreeing what to share takes time.",
            "One agreement on sharing information, signed by all four partners.",
        ),
    ),
}

#: The quarters the invented PMs answered the questionnaire: this one and the
#: three before it, so the dashboards' default twelve months show a trend.
RATED_QUARTERS = 4


def _quarters_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` quarters up to the one holding `today`, oldest first."""
    quarters = [quarter_start(today)]
    while len(quarters) < count:
        quarters.append(quarter_start(quarters[-1] - datetime.timedelta(days=1)))
    return quarters[::-1]


#: (competence, starting score, quarters per point gained).
_SCORE_CURVES = tuple(zip(SCORE_FIELDS, (3, 2, 2, 2), (3, 3, 3, 4), strict=True))


def _demo_scores(person: int, quarter: int) -> dict[str, int]:
    """Scores that rise by about one point over a year, each PM and competence at
    its own pace: most confident about children's development, least about
    working with parents."""
    scores = {}
    for competence, (field, start, pace) in enumerate(_SCORE_CURVES):
        mix = person * 7 + competence * 3
        scores[field] = min(5, start + (mix % 5 == 0) + (quarter + mix % pace) // pace)
    return scores


# --- Loading -----------------------------------------------------------------


class _Loader:
    """Writes demo rows on their natural keys, saving only what differs, and
    remembers what it wrote so later steps can look rows up by name."""

    def __init__(self):
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.municipalities: dict[str, Municipality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.pilots: dict[str, Pilot] = {}
        self.locations: dict[tuple[str, str], Location] = {}
        self.groups: dict[tuple[str, str, str], Group] = {}
        self.users: dict[str, object] = {}
        self.memberships: list[Membership] = []
        self._demo_password_hash: str | None = None
        self._password_checks: dict[str, bool] = {}

    # Generic writes

    def upsert(self, model: type[models.Model], lookup: dict, values: dict):
        return self._upsert(model, lookup, values)[0]

    def _upsert(self, model, lookup, values):
        """Return the row and whether it was created."""
        instance = model._default_manager.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            self._save(instance)
            self.created[model.__name__] += 1
            return instance, True
        if changed := _apply(instance, values):
            self._save(instance, update_fields=changed)
            self.updated[model.__name__] += 1
        return instance, False

    @staticmethod
    def _save(instance, **kwargs):
        # Field checks catch a typo in the data with a clear message; the
        # database constraints check the rest (full_clean would query for each).
        instance.clean_fields()
        # Read by simple-history for the models that keep history.
        instance._change_reason = CHANGE_REASON
        instance.save(**kwargs)

    def user(self, username, *, first_name, last_name, can_log_in=False, is_superuser=False):
        """A user; only the demo logins can log in, with DEMO_PASSWORD."""
        User = get_user_model()
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            "is_active": True,
            "is_staff": is_superuser,
            "is_superuser": is_superuser,
        }
        user = User._default_manager.filter(username=username).first()
        if user is None:
            user = User(username=username, **values)
            if can_log_in:
                user.password = self.demo_password_hash()
            else:
                user.set_unusable_password()
            self._save(user)
            self.created["User"] += 1
        else:
            changed = _apply(user, values)
            if can_log_in and not self.is_demo_password(user.password):
                user.password = self.demo_password_hash()
                changed.append("password")
            if changed:
                self._save(user, update_fields=changed)
                self.updated["User"] += 1
        self.users[username] = user
        return user

    # Hashing is slow on purpose, so the demo logins share one hash and each
    # stored hash is checked once per run.

    def demo_password_hash(self) -> str:
        if self._demo_password_hash is None:
            self._demo_password_hash = make_password(DEMO_PASSWORD)
            self._password_checks[self._demo_password_hash] = True
        return self._demo_password_hash

    def is_demo_password(self, encoded: str) -> bool:
        # hashers.check_password, not user.check_password: the latter may
        # re-hash and save the row, which would change it on every run.
        if encoded not in self._password_checks:
            self._password_checks[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._password_checks[encoded]

    def membership(self, user, organisation, role, *, start_date, locations=(), groups=()):
        membership, created = self._upsert(
            Membership,
            {"user": user, "organisation": organisation, "role": role},
            {"start_date": start_date, "end_date": None},
        )
        # The coverage is part of what the demo defines for this membership.
        for relation, wanted in (("locations", locations), ("groups", groups)):
            manager = getattr(membership, relation)
            if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in wanted}:
                manager.set(wanted)
                tally = self.created if created else self.updated
                tally[f"Membership.{relation}"] += 1
        self.memberships.append(membership)
        return membership

    # Steps

    def load_municipalities(self):
        for data in MUNICIPALITIES:
            self.municipalities[data.name] = self.upsert(
                Municipality,
                {"name": data.name},
                {
                    "cbs_code": data.cbs_code,
                    "province": data.province,
                    "is_frontrunner": data.is_frontrunner,
                },
            )

    def load_organisations(self):
        for data in ORGANISATIONS:
            municipality = self.municipalities[data.municipality] if data.municipality else None
            self.organisations[data.name] = self.upsert(
                Organisation,
                {"name": data.name},
                {"kind": data.kind, "municipality": municipality},
            )

    def load_pilots(self):
        for data in PILOTS:
            municipality = self.municipalities[data.municipality]
            pilot = self.upsert(
                Pilot,
                {"name": data.name},
                {
                    "track": data.track,
                    "research_angle": data.research_angle,
                    "municipality": municipality,
                    "start_date": data.start_date,
                    "end_date": data.end_date,
                    "kickoff_date": data.kickoff_date,
                    "evaluation_date": data.evaluation_date,
                    "steering_group": data.steering_group,
                },
            )
            self.pilots[data.name] = pilot
            for organisation, role in data.partners:
                self.upsert(
                    PilotPartner,
                    {"pilot": pilot, "organisation": self.organisations[organisation]},
                    {"role": role},
                )
            for location_data in data.locations:
                self.load_location(location_data, pilot, municipality)

    def load_location(self, data: LocationData, pilot: Pilot, municipality: Municipality):
        location = self.upsert(
            Location,
            {"organisation": self.organisations[data.organisation], "name": data.name},
            {
                "location_type": data.location_type,
                "street_address": data.street_address,
                "postcode": "",
                "city": data.city,
                "municipality": municipality,
                "pilot": pilot,
            },
        )
        self.locations[(data.organisation, data.name)] = location
        for group in data.groups:
            self.groups[(data.organisation, data.name, group.name)] = self.upsert(
                Group,
                {"location": location, "name": group.name},
                {"age_band": group.age_band, "kind": group.kind, "capacity": group.capacity},
            )

    def load_staff(self):
        for pilot_data in PILOTS:
            pilot = self.pilots[pilot_data.name]
            for location_data in pilot_data.locations:
                org_name, location_name = location_data.organisation, location_data.name
                for staff in location_data.staff:
                    user = self.user(
                        staff.username, first_name=staff.first_name, last_name=staff.last_name
                    )
                    covers_location = staff.role in LOCATION_ROLES
                    self.membership(
                        user,
                        self.organisations[org_name],
                        staff.role,
                        start_date=pilot.start_date,
                        locations=[self.locations[(org_name, location_name)]]
                        if covers_location
                        else [],
                        groups=[self.groups[(org_name, location_name, g)] for g in staff.groups],
                    )
        first_pilot_of = {}
        for pilot_data in PILOTS:
            for organisation, _role in pilot_data.partners:
                first_pilot_of.setdefault(organisation, self.pilots[pilot_data.name])
        for coach in COACHES:
            user = self.user(coach.username, first_name=coach.first_name, last_name=coach.last_name)
            self.membership(
                user,
                self.organisations[coach.organisation],
                Role.COACH,
                start_date=first_pilot_of[coach.organisation].start_date,
            )

    def load_demo_users(self):
        from alert4you import two_factor

        for data in DEMO_USERS:
            user = self.user(
                data.username,
                first_name=data.first_name,
                last_name=data.last_name,
                can_log_in=True,
                is_superuser=data.is_superuser,
            )
            # Two-step login: a known key, so the login page can show the code.
            _device, changed = two_factor.demo_device_save(user)
            if changed:
                self.created["TOTPDevice"] += 1
            if data.role is not None:
                self.membership(
                    user,
                    self.organisations[data.organisation],
                    data.role,
                    start_date=self.pilots["Alert4you Assen 0-4"].start_date,
                    locations=[self.locations[key] for key in data.locations],
                    groups=[self.groups[key] for key in data.groups],
                )
            for pilot_name in data.led_pilots:
                pilot = self.pilots[pilot_name]
                if not pilot.project_leaders.filter(pk=user.pk).exists():
                    pilot.project_leaders.add(user)
                    self.created["Pilot.project_leaders"] += 1

    def load_evaluation_moments(self):
        """A kick-off, an interim evaluation held a few weeks ago and one planned
        in the coming months, for every pilot that has no moments yet; recorded
        by a demo project leader of the pilot, otherwise by programme staff."""
        today = timezone.localdate()
        programme = self.users["demo-programme"]
        leaders = {
            pilot: self.users[data.username] for data in DEMO_USERS for pilot in data.led_pilots
        }
        turns: Counter[str] = Counter()
        for index, data in enumerate(PILOTS):
            pilot = self.pilots[data.name]
            findings = INTERIM_FINDINGS[data.track]
            interim = findings[turns[data.track] % len(findings)]
            turns[data.track] += 1
            if pilot.evaluation_moments.exists():
                continue
            actor = leaders.get(data.name, programme)
            moments = (
                {
                    "kind": EvaluationKind.KICKOFF,
                    "date": data.kickoff_date or data.start_date,
                    "with_steering_group": True,
                    "with_partner_organisations": True,
                    "other_participants": f"The youth policy officer of {data.municipality}",
                    "agreed_actions": KICKOFF_ACTIONS,
                },
                {
                    "kind": EvaluationKind.INTERIM,
                    "date": today - datetime.timedelta(weeks=6 + 2 * (index % 5)),
                    "with_partner_organisations": True,
                    "with_parents_committee": data.track != PilotTrack.SCHOOL,
                    "success_factors": interim.success_factors,
                    "bottlenecks": interim.bottlenecks,
                    "agreed_actions": interim.agreed_actions,
                },
                {
                    "kind": EvaluationKind.INTERIM,
                    "date": today + datetime.timedelta(weeks=5 + 3 * (index % 4)),
                    "with_steering_group": True,
                    "with_partner_organisations": True,
                    "other_participants": "The coach of the youth-care partner",
                },
            )
            for fields in moments:
                evaluation_moment_create(actor=actor, pilot=pilot, **fields)
                self.created[EvaluationMoment.__name__] += 1

    def load_competence_ratings(self):
        """The questionnaire answers of every PM the demo defines, for the last
        few quarters, each given during its quarter. The demo logins leave this
        quarter open, to answer it themselves; answers already given are kept.

        Written in one go rather than through `competence_rating_save`, which
        checks and stamps one answer at a time with the current time; the demo
        PMs work at the rated pilot's locations, which is what it would check."""
        today = timezone.localdate()
        quarters = _quarters_back(today, RATED_QUARTERS)
        can_log_in = {data.username for data in DEMO_USERS}
        pms = list(self._pms_per_pilot())
        answered = set(
            CompetenceRating.objects.filter(
                user__in=[self.users[username] for username, _pilot in pms]
            ).values_list("user_id", "pilot_id", "quarter")
        )
        new = []
        for person, (username, pilot) in enumerate(pms):
            user = self.users[username]
            for number, quarter in enumerate(quarters):
                if (user.pk, pilot.pk, quarter) in answered:
                    continue
                if username in can_log_in and quarter == quarters[-1]:
                    continue
                answered_on = min(quarter + datetime.timedelta(days=20), today)
                answered_at = timezone.make_aware(
                    datetime.datetime.combine(answered_on, datetime.time(10))
                )
                rating = CompetenceRating(
                    user=user,
                    pilot=pilot,
                    quarter=quarter,
                    answered_at=min(answered_at, timezone.now()),
                    **_demo_scores(person, number),
                )
                rating.clean_fields()
                new.append(rating)
        CompetenceRating.objects.bulk_create(new)
        self.created[CompetenceRating.__name__] += len(new)

    def _pms_per_pilot(self):
        """(username, pilot) for the pedagogical staff at each pilot's locations."""
        for data in PILOTS:
            pilot = self.pilots[data.name]
            locations = {(loc.organisation, loc.name) for loc in data.locations}
            for location in data.locations:
                for staff in location.staff:
                    if staff.role == Role.PEDAGOGICAL_STAFF:
                        yield staff.username, pilot
            for user in DEMO_USERS:
                if user.role == Role.PEDAGOGICAL_STAFF and any(
                    (org, loc) in locations for org, loc, _group in user.groups
                ):
                    yield user.username, pilot


def _apply(instance, values: dict) -> list[str]:
    """Set the values that differ on `instance`; return the changed field names."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current = getattr(instance, field.attname)
            wanted = value.pk if value is not None else None
        else:
            current, wanted = getattr(instance, name), value
        if current != wanted:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def load_demo_data(stdout=None) -> dict:
    """Write the demo data; safe to run any number of times.

    Returns how many rows of each kind the demo defines and how many rows this
    run created and updated (both 0 on a second run). With `stdout`, writes a
    line per step.
    """
    loader = _Loader()
    steps = (
        (_("municipalities"), loader.load_municipalities),
        (_("organisations"), loader.load_organisations),
        (_("pilots, locations and groups"), loader.load_pilots),
        (_("staff"), loader.load_staff),
        (_("demo logins"), loader.load_demo_users),
        (_("evaluation moments"), loader.load_evaluation_moments),
        (_("competence ratings"), loader.load_competence_ratings),
    )
    with transaction.atomic():
        for label, step in steps:
            step()
            if stdout is not None:
                stdout.write(str(_("Loaded %(step)s.") % {"step": label}) + "\n")
    return {
        "municipalities": len(loader.municipalities),
        "organisations": len(loader.organisations),
        "pilots": len(loader.pilots),
        "locations": len(loader.locations),
        "groups": len(loader.groups),
        "users": len(loader.users),
        "memberships": len(loader.memberships),
        "evaluation_moments": EvaluationMoment.objects.count(),
        "competence_ratings": CompetenceRating.objects.count(),
        "created": sum(loader.created.values()),
        "updated": sum(loader.updated.values()),
    }
