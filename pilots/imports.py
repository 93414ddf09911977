"""Import organisations, locations, groups and staff from a CSV file.

One entry point, `import_csv`. The file is read and every row validated
before anything is written; a single error anywhere means nothing is saved.
Errors carry the row number a spreadsheet shows (the header is row 1) and the
column, so a user can find and fix each one. Rows are matched on their natural
keys, so importing the same file again updates rows instead of duplicating them.

For an optional column the rule is: a column that is absent leaves the stored
value alone; a column that is present but empty clears it.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import (
    AgeBand,
    Group,
    GroupKind,
    Location,
    LocationType,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Pilot,
    Role,
)
from .selectors import organisations_administered_by

logger = logging.getLogger(__name__)

CHANGE_REASON = "CSV import"
FILE_ROW = None  # the row of an error about the file as a whole


# --- what a file must look like ---------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    choices: type | None = None  # a TextChoices class

    @property
    def values(self) -> list[tuple[str, str]]:
        return list(self.choices.choices) if self.choices else []


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    columns: tuple[Column, ...]
    example: str

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


_CBS_HELP = gettext_lazy(
    "The municipality's CBS code, such as GM0106. Leave empty for none; "
    "the municipality must already exist."
)

KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "organisations",
            gettext_lazy("Organisations"),
            (
                Column("name", True, gettext_lazy("The organisation's name; used to find it.")),
                Column("kind", True, gettext_lazy("The kind of organisation."), OrganisationKind),
                Column("municipality_cbs_code", False, _CBS_HELP),
            ),
            "name,kind,municipality_cbs_code\nSpeelwerk,childcare,GM0106\n",
        ),
        KindSpec(
            "locations",
            gettext_lazy("Locations"),
            (
                Column("organisation", True, gettext_lazy("The name of the organisation.")),
                Column(
                    "name",
                    True,
                    gettext_lazy("The location's name; with the organisation used to find it."),
                ),
                Column("type", True, gettext_lazy("The type of location."), LocationType),
                Column("street_address", False, gettext_lazy("Street and house number.")),
                Column("postcode", False, gettext_lazy("A Dutch postcode, such as 9401 AB.")),
                Column("city", False, gettext_lazy("The city or village.")),
                Column("municipality_cbs_code", False, _CBS_HELP),
                Column(
                    "pilot",
                    False,
                    gettext_lazy("The name of the pilot the location takes part in, if any."),
                ),
            ),
            "organisation,name,type,street_address,postcode,city,municipality_cbs_code,pilot\n"
            "Speelwerk,BSO De Kikker,bso,Kloosterstraat 4,9401 AB,Assen,GM0106,"
            "Alert4you Assen 0-4\n",
        ),
        KindSpec(
            "groups",
            gettext_lazy("Groups"),
            (
                Column("organisation", True, gettext_lazy("The name of the organisation.")),
                Column("location", True, gettext_lazy("The name of the location.")),
                Column(
                    "name",
                    True,
                    gettext_lazy("The group's name; with the location used to find it."),
                ),
                Column(
                    "age_band",
                    True,
                    gettext_lazy(
                        "The ages in the group. If your spreadsheet turns it into a date, "
                        "format the column as text."
                    ),
                    AgeBand,
                ),
                Column(
                    "kind",
                    False,
                    gettext_lazy("Regular or plus group; regular when left empty."),
                    GroupKind,
                ),
                Column(
                    "capacity",
                    True,
                    gettext_lazy("The most children the group may hold at once: 1 to 40."),
                ),
            ),
            "organisation,location,name,age_band,kind,capacity\n"
            "Speelwerk,KDV De Kikker,Vlinders,0-4,regular,12\n",
        ),
        KindSpec(
            "staff",
            gettext_lazy("Staff"),
            (
                Column(
                    "email",
                    True,
                    gettext_lazy(
                        "The person's e-mail address; used to find them. New people set "
                        "their password with “Forgot your password?”."
                    ),
                ),
                Column("first_name", True, gettext_lazy("First name.")),
                Column("last_name", True, gettext_lazy("Last name.")),
                Column("organisation", True, gettext_lazy("The name of the organisation.")),
                Column("role", True, gettext_lazy("The person's role there."), Role),
                Column(
                    "locations",
                    False,
                    gettext_lazy(
                        "The locations the role covers, separated by “;”. Replaces the "
                        "locations covered so far."
                    ),
                ),
                Column(
                    "groups",
                    False,
                    gettext_lazy(
                        "The groups the role covers as Location/Group, separated by “;”. "
                        "Replaces the groups covered so far."
                    ),
                ),
            ),
            "email,first_name,last_name,organisation,role,locations,groups\n"
            "j.dekker@example.org,Janneke,Dekker,Speelwerk,pedagogical_staff,"
            "KDV De Kikker,KDV De Kikker/Dolfijnen;KDV De Kikker/Zeepaardjes\n",
        ),
    )
}


# --- results -------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return _("file: %(message)s") % {"message": self.message}
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    kind: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        counts = {
            "kind": str(KINDS[self.kind].label).lower(),
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                ngettext(
                    "The file is valid. Importing its %(rows)s row of %(kind)s would give "
                    "%(created)s created, %(updated)s updated and %(unchanged)s unchanged. "
                    "Nothing was saved.",
                    "The file is valid. Importing its %(rows)s rows of %(kind)s would give "
                    "%(created)s created, %(updated)s updated and %(unchanged)s unchanged. "
                    "Nothing was saved.",
                    self.rows,
                )
                % counts
            )
        return (
            ngettext(
                "Imported %(rows)s row of %(kind)s: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                "Imported %(rows)s rows of %(kind)s: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                self.rows,
            )
            % counts
        )


# --- the entry point -----------------------------------------------------------


def import_csv(
    *, kind: str, file, actor, organisation: Organisation | None = None, dry_run: bool = False
) -> ImportResult:
    """Validate the whole file, then write all of it or nothing.

    `file` is a binary or text file object, bytes or a str. With `organisation`
    (an organisation the actor administers) every row must belong to it; without
    it — the management command of the platform operator — any row may be imported.
    Returns an `ImportResult`; when its `errors` are not empty nothing was written.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if organisation is not None and actor is not None:
        if not organisations_administered_by(actor).filter(pk=organisation.pk).exists():
            raise PermissionDenied
    result = ImportResult(kind=kind, dry_run=dry_run)
    spec = KINDS[kind]
    try:
        rows = _read(file, spec)
    except _FileErrors as exc:
        result.errors = exc.errors
        return result

    context = _Context(actor=actor, scope=organisation)
    planner = _PLANNERS[kind]
    planner_state = planner.prepare(context, rows)
    plans = []
    for row in rows:
        plan = planner.plan(row, context, planner_state)
        if plan is not None and not row.errors:
            plans.append(plan)
        context.errors.extend(row.errors)
    if context.errors:
        result.errors = context.errors
        return result

    for plan in plans:
        setattr(result, plan.status, getattr(result, plan.status) + 1)
    current_row = None
    try:
        with transaction.atomic():
            for plan in plans:
                current_row = plan.row
                if plan.status != "unchanged":
                    plan.write()
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, DataError):
        logger.warning("CSV import of %s failed at row %s", kind, current_row, exc_info=True)
        result.created = result.updated = result.unchanged = 0
        result.errors = [
            RowError(
                current_row,
                "",
                _(
                    "This row could not be saved: it conflicts with data in the database, "
                    "perhaps changed by someone else at the same time. Nothing was saved; "
                    "check the row and try again."
                ),
            )
        ]
    return result


# --- reading the file ------------------------------------------------------------


class _FileErrors(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


class _Row:
    def __init__(self, number: int, values: dict[str, str], header: set[str]):
        self.number = number
        self.values = values
        self.header = header
        self.errors: list[RowError] = []

    def has(self, column: str) -> bool:
        return column in self.header

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def failed(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)


def _decode(raw) -> str:
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if raw.startswith(b"PK\x03\x04"):
        raise _FileErrors(
            [
                RowError(
                    FILE_ROW,
                    "",
                    _(
                        "This looks like an Excel workbook. Save it as “CSV UTF-8” and "
                        "upload that file."
                    ),
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Dutch Excel writes for "CSV (puntkommagescheiden)".
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise _FileErrors(
            [
                RowError(
                    FILE_ROW,
                    "",
                    _("The file could not be read as text. Save it as “CSV UTF-8”."),
                )
            ]
        ) from None


def _delimiter(text: str) -> str:
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;").delimiter
    except csv.Error:
        return ";" if header_line.count(";") > header_line.count(",") else ","


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _read(file, spec: KindSpec) -> list[_Row]:
    raw = file.read() if hasattr(file, "read") else file
    text = _decode(raw)
    if not text.strip():
        raise _FileErrors([RowError(FILE_ROW, "", _("The file is empty."))])
    try:
        records = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
        )
    except csv.Error as exc:
        raise _FileErrors(
            [RowError(FILE_ROW, "", _("The file is not a valid CSV file: %s") % exc)]
        ) from None

    # Row numbers are the spreadsheet's: blank lines count, the header is row 1.
    numbered = [(number, cells) for number, cells in enumerate(records, start=1)]
    while numbered and not any(cell.strip() for cell in numbered[0][1]):
        numbered.pop(0)
    header_number, header_cells = numbered[0]
    header = [_normalise_header(cell) for cell in header_cells]

    errors = []
    known = set(spec.column_names)
    seen = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            errors.append(RowError(header_number, name, _("This column appears twice.")))
        elif name not in known:
            errors.append(
                RowError(
                    header_number,
                    name,
                    _("Unknown column. The columns for %(kind)s are: %(columns)s.")
                    % {"kind": str(spec.label).lower(), "columns": ", ".join(spec.column_names)},
                )
            )
        seen.add(name)
    missing = [name for name in spec.required_columns if name not in seen]
    if missing:
        errors.append(
            RowError(
                header_number,
                ", ".join(missing),
                _("Required columns are missing: %(columns)s. The first row must name them.")
                % {"columns": ", ".join(missing)},
            )
        )
    if errors:
        raise _FileErrors(errors)

    present = {name for name in header if name}
    rows = []
    for number, cells in numbered[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        values = {}
        for index, cell in enumerate(cells):
            name = header[index] if index < len(header) else ""
            if name:
                values[name] = cell.strip()
        row = _Row(number, values, present)
        if any(cell.strip() for cell in cells[len(header) :]):
            row.error(
                "",
                _(
                    "This row has more cells than the header has columns. If a cell contains "
                    "the separator, put the cell in double quotes."
                ),
            )
        rows.append(row)
    if not rows:
        raise _FileErrors([RowError(FILE_ROW, "", _("The file has a header but no rows."))])
    return rows


# --- checking cells --------------------------------------------------------------


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


class _Index:
    """Find rows by a natural key: the exact spelling first, else any capitalisation."""

    class Ambiguous(Exception):
        pass

    def __init__(self, objects=(), *, key: Callable):
        self._key = key
        self._exact: dict[tuple, object] = {}
        self._folded: dict[tuple, list] = defaultdict(list)
        for obj in objects:
            self.add(obj)

    @staticmethod
    def _folded_key(key: tuple) -> tuple:
        return tuple(_fold(part) if isinstance(part, str) else part for part in key)

    def add(self, obj) -> None:
        key = self._key(obj)
        self._exact[key] = obj
        self._folded[self._folded_key(key)].append(obj)

    def find(self, *key):
        if key in self._exact:
            return self._exact[key]
        matches = self._folded.get(self._folded_key(key), [])
        if len(matches) > 1:
            raise self.Ambiguous
        return matches[0] if matches else None


def _text(row: _Row, column: str, model_field, *, required: bool) -> str:
    value = " ".join(row.get(column).split())
    if required and not value:
        row.error(column, _("This cell is required."))
    elif model_field.max_length and len(value) > model_field.max_length:
        row.error(
            column,
            _("Use at most %(max)s characters (this has %(length)s).")
            % {"max": model_field.max_length, "length": len(value)},
        )
    return value


def _choice_key(value: str) -> str:
    return _fold(re.sub(r"\s*[–—-]\s*", "-", value))  # "0 – 4" is "0-4"


@functools.cache
def _choice_lookup(choices) -> dict[str, str]:
    """Values and labels in every language the site speaks, for lenient matching."""
    lookup = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(_choice_key(str(label)), value)
    for value in choices.values:
        lookup[_choice_key(value)] = value
        lookup[_choice_key(value.replace("_", " "))] = value
    return lookup


def _choice(row: _Row, column: str, choices, *, required: bool) -> str:
    raw = row.get(column)
    if not raw:
        if required:
            row.error(column, _("This cell is required."))
        return ""
    value = _choice_lookup(choices).get(_choice_key(raw))
    if value is None:
        row.error(
            column,
            _("“%(value)s” is not one of the allowed values: %(values)s.")
            % {"value": raw, "values": ", ".join(choices.values)},
        )
        return ""
    return value


def _municipality(row: _Row, context: _Context) -> Municipality | None:
    column = "municipality_cbs_code"
    raw = row.get(column).upper().replace(" ", "")
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 4:
        raw = f"GM{raw.zfill(4)}"  # spreadsheets drop the GM and leading zeros
    if not re.fullmatch(r"GM\d{4}", raw):
        row.error(column, _("Use a CBS code such as GM0106."))
        return None
    municipality = context.municipalities.get(raw)
    if municipality is None:
        row.error(column, _("No municipality has the CBS code %(code)s.") % {"code": raw})
    return municipality


def _organisation(row: _Row, context: _Context) -> Organisation | None:
    column = "organisation"
    name = " ".join(row.get(column).split())
    if not name:
        row.error(column, _("This cell is required."))
        return None
    try:
        organisation = context.organisations.find(name)
    except _Index.Ambiguous:
        row.error(column, _("Several organisations match; use the exact spelling."))
        return None
    if context.scope is not None and organisation != context.scope:
        # The same answer whether or not the other organisation exists.
        row.error(
            column,
            _("You can only import rows for %(organisation)s.")
            % {"organisation": context.scope.name},
        )
        return None
    if organisation is None:
        row.error(column, _("No organisation is called “%(name)s”.") % {"name": name})
    return organisation


def _find(row: _Row, column: str, index: _Index, *key, not_found: str):
    try:
        found = index.find(*key)
    except _Index.Ambiguous:
        row.error(column, _("Several match; use the exact spelling."))
        return None
    if found is None:
        row.error(column, not_found)
    return found


def _check_model(row: _Row, instance, columns: dict[str, str], exclude=()) -> None:
    """Let the model's own validation have the last word, reported on our columns."""
    try:
        # Uniqueness and check constraints are checked above without a query per row,
        # and the database enforces them again on writing. Related rows were looked up
        # above too; the model would look each one up again.
        exclude = [*exclude, *(f.name for f in instance._meta.fields if f.is_relation)]
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            column = columns.get(field_name, "") if field_name != NON_FIELD_ERRORS else ""
            if column and row.failed(column):
                continue
            for message in messages:
                row.error(column, message)


def _assign(instance, **values) -> bool:
    """Set values on an instance; True when any of them differs from before."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _duplicate(row: _Row, seen: dict, key: tuple, column: str) -> bool:
    key = _Index._folded_key(key)
    if key in seen:
        row.error(
            column,
            _("This row repeats row %(row)s; each one may appear only once.") % {"row": seen[key]},
        )
        return True
    seen[key] = row.number
    return False


def _save(instance, actor) -> None:
    instance._history_user = actor
    instance._change_reason = CHANGE_REASON
    instance.save()


# --- planning and writing, one planner per kind ---------------------------------


class _Context:
    def __init__(self, *, actor, scope):
        self.actor = actor
        self.scope = scope
        self.errors: list[RowError] = []
        self.organisations = _Index(
            Organisation.objects.select_related("municipality"), key=lambda o: (o.name,)
        )
        self.municipalities = {m.cbs_code: m for m in Municipality.objects.all()}


@dataclass
class _Plan:
    row: int
    status: str  # "created", "updated" or "unchanged"
    write: Callable[[], None]


def _status(instance, changed: bool) -> str:
    if instance.pk is None:
        return "created"
    return "updated" if changed else "unchanged"


class _OrganisationPlanner:
    def prepare(self, context, rows):
        return {"seen": {}}

    def plan(self, row, context, state):
        fields = Organisation._meta
        name = _text(row, "name", fields.get_field("name"), required=True)
        kind = _choice(row, "kind", OrganisationKind, required=True)
        municipality = _municipality(row, context)
        if row.errors or _duplicate(row, state["seen"], (name,), "name"):
            return None
        try:
            organisation = context.organisations.find(name)
        except _Index.Ambiguous:
            row.error("name", _("Several organisations match; use the exact spelling."))
            return None
        if context.scope is not None and organisation != context.scope:
            row.error(
                "name",
                _("You can only update your own organisation, %(organisation)s.")
                % {"organisation": context.scope.name},
            )
            return None
        organisation = organisation or Organisation()
        values = {"name": name, "kind": kind}
        if row.has("municipality_cbs_code"):
            values["municipality"] = municipality
        changed = _assign(organisation, **values)
        _check_model(
            row,
            organisation,
            {"name": "name", "kind": "kind", "municipality": "municipality_cbs_code"},
        )
        return _Plan(
            row.number, _status(organisation, changed), lambda: _save(organisation, context.actor)
        )


class _LocationPlanner:
    COLUMNS = {
        "organisation": "organisation",
        "name": "name",
        "location_type": "type",
        "street_address": "street_address",
        "postcode": "postcode",
        "city": "city",
        "municipality": "municipality_cbs_code",
        "pilot": "pilot",
    }

    def prepare(self, context, rows):
        return {
            "seen": {},
            "locations": _Index(
                Location.objects.select_related("municipality", "pilot"),
                key=lambda x: (x.organisation_id, x.name),
            ),
            "pilots": _Index(Pilot.objects.all(), key=lambda p: (p.name,)),
        }

    def plan(self, row, context, state):
        fields = Location._meta
        organisation = _organisation(row, context)
        name = _text(row, "name", fields.get_field("name"), required=True)
        location_type = _choice(row, "type", LocationType, required=True)
        values = {"name": name, "location_type": location_type}
        for column in ("street_address", "city"):
            if row.has(column):
                values[column] = _text(row, column, fields.get_field(column), required=False)
        if row.has("postcode"):
            values["postcode"] = self._postcode(row)
        if row.has("municipality_cbs_code"):
            values["municipality"] = _municipality(row, context)
        if row.has("pilot"):
            pilot_name = row.get("pilot")
            values["pilot"] = None
            if pilot_name:
                values["pilot"] = _find(
                    row,
                    "pilot",
                    state["pilots"],
                    pilot_name,
                    not_found=_("No pilot is called “%(name)s”.") % {"name": pilot_name},
                )
        if row.errors or _duplicate(row, state["seen"], (organisation.pk, name), "name"):
            return None
        try:
            location = state["locations"].find(organisation.pk, name)
        except _Index.Ambiguous:
            row.error("name", _("Several locations match; use the exact spelling."))
            return None
        location = location or Location(organisation=organisation)
        changed = _assign(location, **values)
        _check_model(row, location, self.COLUMNS)
        return _Plan(row.number, _status(location, changed), lambda: _save(location, context.actor))

    @staticmethod
    def _postcode(row):
        raw = row.get("postcode").upper().replace(" ", "")
        if not raw:
            return ""
        if not re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", raw):
            row.error("postcode", _("Use a Dutch postcode such as 9401 AB."))
            return ""
        return f"{raw[:4]} {raw[4:]}"


class _GroupPlanner:
    COLUMNS = {
        "location": "location",
        "name": "name",
        "age_band": "age_band",
        "kind": "kind",
        "capacity": "capacity",
    }

    def prepare(self, context, rows):
        return {
            "seen": {},
            "locations": _Index(Location.objects.all(), key=lambda x: (x.organisation_id, x.name)),
            "groups": _Index(Group.objects.all(), key=lambda g: (g.location_id, g.name)),
        }

    def plan(self, row, context, state):
        organisation = _organisation(row, context)
        location = None
        location_name = row.get("location")
        if not location_name:
            row.error("location", _("This cell is required."))
        elif organisation is not None:
            location = _find(
                row,
                "location",
                state["locations"],
                organisation.pk,
                location_name,
                not_found=_("%(organisation)s has no location called “%(name)s”.")
                % {"organisation": organisation.name, "name": location_name},
            )
        name = _text(row, "name", Group._meta.get_field("name"), required=True)
        values = {
            "name": name,
            "age_band": _choice(row, "age_band", AgeBand, required=True),
            "capacity": self._capacity(row),
        }
        if row.has("kind"):
            values["kind"] = _choice(row, "kind", GroupKind, required=False) or GroupKind.REGULAR
        if row.errors or _duplicate(row, state["seen"], (location.pk, name), "name"):
            return None
        try:
            group = state["groups"].find(location.pk, name)
        except _Index.Ambiguous:
            row.error("name", _("Several groups match; use the exact spelling."))
            return None
        group = group or Group(location=location)
        changed = _assign(group, **values)
        _check_model(row, group, self.COLUMNS)
        return _Plan(row.number, _status(group, changed), lambda: _save(group, context.actor))

    @staticmethod
    def _capacity(row):
        raw = row.get("capacity")
        if not raw:
            row.error("capacity", _("This cell is required."))
            return None
        try:
            capacity = int(raw)
        except ValueError:
            capacity = None
        if capacity is None or not 1 <= capacity <= 40:
            row.error("capacity", _("Enter a whole number from 1 to 40."))
            return None
        return capacity


def _group_key(group):
    return (group.location.organisation_id, group.location.name, group.name)


def _group_name_key(group):
    return (group.location.organisation_id, group.name)


class _StaffPlanner:
    def prepare(self, context, rows):
        User = get_user_model()
        emails = {row.get("email").lower() for row in rows if row.get("email")}
        users = list(
            User.objects.annotate(
                email_lower=Lower("email"), username_lower=Lower("username")
            ).filter(Q(email_lower__in=emails) | Q(username_lower__in=emails))
        )
        by_email = defaultdict(dict)
        for user in users:
            for address in {user.email.lower(), user.username.lower()} & emails:
                by_email[address][user.pk] = user
        memberships = {
            (m.user_id, m.organisation_id, m.role): m
            for m in Membership.objects.filter(user__in=[u.pk for u in users]).prefetch_related(
                "locations", "groups"
            )
        }
        other_organisations = set()
        if context.scope is not None:
            other_organisations = set(
                Membership.objects.filter(user__in=[u.pk for u in users])
                .exclude(organisation=context.scope)
                .values_list("user_id", flat=True)
            )
        groups = list(Group.objects.select_related("location"))
        return {
            "seen": {},
            "names": {},
            "new_users": {},
            "by_email": by_email,
            "memberships": memberships,
            "elsewhere": other_organisations,
            "locations": _Index(Location.objects.all(), key=lambda x: (x.organisation_id, x.name)),
            "groups": _Index(groups, key=_group_key),
            "groups_by_name": _Index(groups, key=_group_name_key),
        }

    def plan(self, row, context, state):
        User = get_user_model()
        email = row.get("email").lower()
        if not email:
            row.error("email", _("This cell is required."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                row.error(
                    "email", _("“%(email)s” is not a valid e-mail address.") % {"email": email}
                )
        first_name = _text(row, "first_name", User._meta.get_field("first_name"), required=True)
        last_name = _text(row, "last_name", User._meta.get_field("last_name"), required=True)
        organisation = _organisation(row, context)
        role = _choice(row, "role", Role, required=True)
        locations = groups = None
        if organisation is not None:
            if row.has("locations"):
                locations = self._locations(row, organisation, state)
            if row.has("groups"):
                groups = self._groups(row, organisation, state)
        if row.errors or _duplicate(row, state["seen"], (email, organisation.pk, role), "email"):
            return None
        earlier = state["names"].setdefault(email, (row.number, first_name, last_name))
        if earlier[1:] != (first_name, last_name):
            row.error(
                "first_name",
                _("Row %(row)s gives this e-mail address another name.") % {"row": earlier[0]},
            )
            return None

        matches = state["by_email"].get(email, {})
        if len(matches) > 1:
            row.error(
                "email",
                _("Several accounts use this e-mail address; ask the platform administrator."),
            )
            return None
        user = next(iter(matches.values()), None) or state["new_users"].get(email)
        user_changed = False
        if user is None:
            user = User(username=email, email=email, first_name=first_name, last_name=last_name)
            user.set_unusable_password()
            state["new_users"][email] = user
            _check_model(
                row,
                user,
                {"username": "email", "email": "email"},
                exclude=["password", "last_login", "date_joined"],
            )
        elif user.pk is not None and self._may_rename(user, context, state):
            user_changed = _assign(user, first_name=first_name, last_name=last_name)

        membership = state["memberships"].get((user.pk, organisation.pk, role)) if user.pk else None
        coverage_changed = False
        if membership is not None:
            if locations is not None:
                coverage_changed |= {x.pk for x in membership.locations.all()} != {
                    x.pk for x in locations
                }
            if groups is not None:
                coverage_changed |= {g.pk for g in membership.groups.all()} != {
                    g.pk for g in groups
                }
        if row.errors:
            return None
        status = (
            "created"
            if membership is None
            else ("updated" if user_changed or coverage_changed else "unchanged")
        )

        def write():
            if user.pk is None or user_changed:
                user.save()
            if membership is None or coverage_changed:
                # Through the membership service, so the access policy follows at once.
                services.membership_save(
                    actor=context.actor,
                    user=user,
                    organisation=organisation,
                    role=role,
                    locations=locations,
                    groups=groups,
                    end_date=membership.end_date if membership else None,
                    reason=CHANGE_REASON,
                )

        return _Plan(row.number, status, write)

    @staticmethod
    def _may_rename(user, context, state) -> bool:
        """An organisation admin may not rename people who also work elsewhere."""
        if context.scope is None:
            return True
        return not (user.is_staff or user.is_superuser or user.pk in state["elsewhere"])

    @staticmethod
    def _names(row, column):
        return [part.strip() for part in row.get(column).split(";") if part.strip()]

    def _locations(self, row, organisation, state):
        found = []
        for name in self._names(row, "locations"):
            location = _find(
                row,
                "locations",
                state["locations"],
                organisation.pk,
                name,
                not_found=_("%(organisation)s has no location called “%(name)s”.")
                % {"organisation": organisation.name, "name": name},
            )
            if location is not None:
                found.append(location)
        return found

    def _groups(self, row, organisation, state):
        found = []
        for entry in self._names(row, "groups"):
            # Names may contain "/", so try every split and keep the ones that exist.
            candidates, ambiguous = set(), False
            splits = [
                (entry[:index].strip(), entry[index + 1 :].strip())
                for index, char in enumerate(entry)
                if char == "/"
            ]
            for key in splits or [(entry,)]:
                index = state["groups"] if splits else state["groups_by_name"]
                try:
                    group = index.find(organisation.pk, *key)
                except _Index.Ambiguous:
                    ambiguous = True
                    continue
                if group is not None:
                    candidates.add(group)
            if len(candidates) == 1 and not ambiguous:
                found.append(candidates.pop())
            elif candidates or ambiguous:
                row.error(
                    "groups",
                    _("“%(entry)s” matches several groups; write it as Location/Group.")
                    % {"entry": entry},
                )
            else:
                row.error(
                    "groups",
                    _("%(organisation)s has no group “%(entry)s”; write it as Location/Group.")
                    % {"organisation": organisation.name, "entry": entry},
                )
        return found


_PLANNERS = {
    "organisations": _OrganisationPlanner(),
    "locations": _LocationPlanner(),
    "groups": _GroupPlanner(),
    "staff": _StaffPlanner(),
}
