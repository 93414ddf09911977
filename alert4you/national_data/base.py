"""Shared pieces of the national data generator."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 5000
PASSWORD = "alert4you-bench"
USERNAME_PREFIX = "bench-"

FIRST_NAMES = (
    "Emma Noah Julia Liam Mila Lucas Tess Finn Sara Levi Zoë Sem Nora Daan Yara Milan Evi Luuk "
    "Saar Mees Lotte Bram Fenna Jesse Sophie Thijs Anna Ties Lieke Gijs Fleur Adam Roos Mohammed "
    "Noor Ayoub Lina Amir Hiba Youssef"
).split()
LAST_NAMES = (
    "de Jong;Jansen;de Vries;van den Berg;van Dijk;Bakker;Janssen;Visser;Smit;Meijer;de Boer;"
    "Mulder;de Groot;Bos;Vos;Peters;Hendriks;van Leeuwen;Dekker;Brouwer;de Wit;Dijkstra;Smits;"
    "de Graaf;van der Meer;Kok;Jacobs;Vermeulen;El Amrani;Yilmaz;Bouzid;Öztürk"
).split(";")
PROVINCES = ("DR", "FL", "FR", "GE", "GR", "LI", "NB", "NH", "OV", "UT", "ZE", "ZH")
CONCERN_TEXTS = (
    "Trekt zich terug bij het vrij spel en zoekt weinig contact met andere kinderen.",
    "Reageert heftig bij overgangen, vooral bij het ophalen.",
    "Spreekt nog weinig woorden en wijst vaak aan wat hij of zij wil.",
    "Valt vaak en stoot zich bij het buitenspelen.",
    "Is moe en hangerig na het weekend; ouders geven aan dat het thuis onrustig is.",
    "Laat zich moeilijk troosten na een conflict met een ander kind.",
    "Eet weinig tijdens de maaltijd en wil niet aan tafel blijven zitten.",
    "Speelt veel alleen en lijkt spel van anderen niet te volgen.",
)
#: What PMs ask their coach between visits, by topic (`coaching.models.Topic`).
REQUEST_QUESTIONS = {
    "one_child": (
        "Hoe kunnen we dit kind helpen bij het afscheid nemen 's ochtends?",
        "Wat kunnen we doen als dit kind zich terugtrekt bij het vrij spel?",
        "Hoe bespreken we onze zorgen met de ouders zonder hen af te schrikken?",
        "Kun je meekijken naar de taalontwikkeling; we twijfelen of we moeten doorverwijzen.",
        "Het kind reageert heftig bij overgangen. Welke aanpak past hier?",
    ),
    "child_in_group": (
        "Een kind in de groep bijt andere kinderen. Hoe gaan we daar als team mee om?",
        "Een kind komt vaak moe binnen en eet slecht. Waar letten we op?",
        "Hoe helpen we een kind dat moeilijk te troosten is na een conflict?",
    ),
    "group_climate": (
        "De groep is onrustig rond het eten. Kun je meekijken naar ons dagritme?",
        "Na de wisseling van collega's is er veel onrust. Hoe krijgen we weer rust in de groep?",
        "Hoe richten we de ruimte in zodat er minder conflicten zijn bij het buitenspelen?",
    ),
    "parents": (
        "Een ouder reageert boos als we iets over het kind vertellen. Hoe pakken we dat aan?",
        "Hoe nodigen we ouders uit voor een gesprek zonder dat het zwaar voelt?",
        "Ouders spreken weinig Nederlands. Hoe houden we ze goed op de hoogte?",
    ),
}
DECLINE_REASONS = (
    "Past beter bij de zorgcoördinator van de locatie; ik heb het doorgezet.",
    "Dit bespreken we al bij het volgende structurele bezoek.",
    "Vraag is inmiddels beantwoord in het gesprek met de locatiemanager.",
)


@dataclass(frozen=True)
class Scale:
    municipalities: int = 80
    locations: int = 1000
    groups_per_location: int = 3
    children: int = 50_000
    cases: int = 15_000
    concerns: int = 200_000
    visits: int = 100_000
    conversations: int = 30_000
    consents: int = 60_000
    staff: int = 3000
    coaching_requests: int = 20_000

    def times(self, factor: float) -> Scale:
        """The same shape, `factor` times as large (at least one of everything)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values = {
            name: value if name == "groups_per_location" else max(1, round(value * factor))
            for name, value in values.items()
        }
        return Scale(**values)


class Writer:
    """Bulk writing with progress; the generator's steps build on it."""

    def __init__(self, scale: Scale, *, seed: int = 2026, progress: Callable | None = None):
        self.scale = scale
        self.random = random.Random(seed)
        self.progress = progress or (lambda step, done, total: None)
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}

    # --- helpers --------------------------------------------------------------------------

    def _bulk(self, step: str, model, rows: Iterable, *, history: bool = False) -> list:
        rows = list(rows)
        created = []
        self.progress(step, 0, len(rows))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            if history:
                created.extend(bulk_create_with_history(chunk, model, batch_size=BATCH))
            else:
                created.extend(model.objects.bulk_create(chunk, batch_size=BATCH))
            self.progress(step, min(start + BATCH, len(rows)), len(rows))
        self.counts[step] = self.counts.get(step, 0) + len(created)
        return created

    def _name(self) -> tuple[str, str]:
        return self.random.choice(FIRST_NAMES), self.random.choice(LAST_NAMES)

    # --- the run --------------------------------------------------------------------------


class _keep_timestamps:
    """Let bulk rows keep the creation times we give them: `auto_now_add` would
    stamp every generated row with the moment of the run."""

    def __init__(self, model):
        self.fields = [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]

    def __enter__(self):
        for f in self.fields:
            f.auto_now_add = False

    def __exit__(self, *exc):
        for f in self.fields:
            f.auto_now_add = True
