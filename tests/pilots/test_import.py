"""CSV import: all rows or none, errors by row and column, re-import updates."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from pilots.imports import KINDS, import_csv
from pilots.models import Group, Location, Membership, Organisation, Role

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import-examples"
URL = reverse("pilots:import")


def run(kind, text, *, world=None, scoped=False, **kwargs):
    """Import `text` as the platform operator, or as Speelwerk's admin when scoped."""
    actor = world.org_admin if scoped else None
    organisation = world.childcare if scoped else None
    return import_csv(
        kind=kind, file=text.encode(), actor=actor, organisation=organisation, **kwargs
    )


def errors_of(result):
    return {(error.row, error.column) for error in result.errors}


def counts():
    User = get_user_model()
    return (
        Organisation.objects.count(),
        Location.objects.count(),
        Group.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )


def upload(client, text, kind, *, name="import.csv", **extra):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": file, **extra})


# --- happy paths ------------------------------------------------------------------


def test_organisations_are_created_and_linked_to_their_municipality(world):
    result = run(
        "organisations",
        "name,kind,municipality_cbs_code\n"
        "Kinderwereld,childcare,GM0106\n"
        "GGZ Drenthe,mental_health,\n",
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    assert Organisation.objects.get(name="Kinderwereld").municipality == world.municipality
    assert Organisation.objects.get(name="GGZ Drenthe").municipality is None


def test_a_choice_may_be_given_by_its_label(world):
    result = run("organisations", "name,kind\nDe Regenboog,mental health care (ggz)\n")
    assert result.ok, result.errors
    assert Organisation.objects.get(name="De Regenboog").kind == Organisation.Kind.MENTAL_HEALTH


def test_locations_are_created_with_address_municipality_and_pilot(world):
    result = run(
        "locations",
        "organisation,name,type,street_address,postcode,city,municipality_cbs_code,pilot\n"
        "Speelwerk,BSO De Kikker,bso,Kloosterstraat 4,9401ab,Assen,106,Alert4you Assen 0-4\n",
    )
    assert result.ok, result.errors
    location = Location.objects.get(organisation=world.childcare, name="BSO De Kikker")
    assert location.location_type == Location.Type.BSO
    assert location.postcode == "9401 AB"
    assert location.municipality == world.municipality
    assert location.pilot == world.pilot


def test_groups_are_created_at_their_location(world):
    result = run(
        "groups",
        "organisation,location,name,age_band,kind,capacity\n"
        "Speelwerk,KDV De Kikker,Vlinders,0 – 4,plus,8\n"
        "Speelwerk,KDV De Kikker,Rupsjes,0-1,,10\n",
    )
    assert result.ok, result.errors
    vlinders = Group.objects.get(location=world.location, name="Vlinders")
    assert (vlinders.age_band, vlinders.kind, vlinders.capacity) == ("0-4", "plus", 8)
    assert Group.objects.get(location=world.location, name="Rupsjes").kind == "regular"


def test_staff_get_an_account_without_password_and_a_membership_with_coverage(world):
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role,locations,groups\n"
        "J.Dekker@Example.org,Janneke,Dekker,Speelwerk,pedagogical_staff,KDV De Kikker,"
        "KDV De Kikker/Dolfijnen;Zeepaardjes\n",
        world=world,
        scoped=True,
    )
    assert result.ok, result.errors
    user = get_user_model().objects.get(username="j.dekker@example.org")
    assert user.email == "j.dekker@example.org"
    assert (user.first_name, user.last_name) == ("Janneke", "Dekker")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.organisation == world.childcare
    assert membership.role == Role.PEDAGOGICAL_STAFF
    assert set(membership.locations.all()) == {world.location}
    assert set(membership.groups.all()) == {world.group_a, world.group_b}


def test_staff_import_matches_an_existing_account_by_email(world):
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role\n"
        "PM_A@example.org,Anna,Jansen,Speelwerk,location_manager\n",
    )
    assert result.ok, result.errors
    world.pm_a.refresh_from_db()
    assert world.pm_a.last_name == "Jansen"
    assert set(world.pm_a.memberships.values_list("role", flat=True)) == {
        Role.PEDAGOGICAL_STAFF,
        Role.LOCATION_MANAGER,
    }
    assert get_user_model().objects.filter(email__iexact="pm_a@example.org").count() == 1


def test_import_records_the_actor_and_a_reason_in_history(world):
    result = run(
        "locations", "organisation,name,type\nSpeelwerk,BSO West,bso\n", world=world, scoped=True
    )
    assert result.ok, result.errors
    record = Location.objects.get(name="BSO West").history.get()
    assert record.history_user == world.org_admin
    assert record.history_change_reason == "CSV import"


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_example_files_import_cleanly_for_the_organisation_admin(world, kind):
    text = (EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8")
    assert text == KINDS[kind].example  # the page and the docs show the same example
    result = run(kind, text, world=world, scoped=True)
    assert result.ok, result.errors


# --- re-import ----------------------------------------------------------------------


def test_reimporting_locations_updates_instead_of_duplicating(world):
    text = "organisation,name,type,city\nSpeelwerk,BSO De Kikker,bso,Assen\n"
    assert run("locations", text).created == 1
    result = run("locations", text.replace("Assen", "Groningen"))
    assert (result.created, result.updated) == (0, 1)
    assert Location.objects.filter(name="BSO De Kikker").count() == 1
    assert Location.objects.get(name="BSO De Kikker").city == "Groningen"


def test_reimporting_the_same_file_changes_nothing_and_writes_no_history(world):
    text = (
        "organisation,location,name,age_band,capacity\nSpeelwerk,KDV De Kikker,Dolfijnen,0-4,12\n"
    )
    result = run("groups", text)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert world.group_a.history.count() == 1


def test_reimporting_groups_updates_capacity_of_the_existing_group(world):
    result = run(
        "groups",
        "organisation,location,name,age_band,capacity\nSpeelwerk,kdv de kikker,dolfijnen,0-4,14\n",
    )
    assert (result.created, result.updated) == (0, 1)
    world.group_a.refresh_from_db()
    assert world.group_a.capacity == 14
    assert Group.objects.count() == 2


def test_reimporting_organisations_updates_kind(world):
    result = run("organisations", "name,kind\nElders BV,school\n")
    assert (result.created, result.updated) == (0, 1)
    world.elsewhere.refresh_from_db()
    assert world.elsewhere.kind == Organisation.Kind.SCHOOL


def test_reimporting_staff_sets_coverage_to_exactly_what_the_file_says(world):
    header = "email,first_name,last_name,organisation,role,groups\n"
    row = "pm_a@example.org,Anna,Visser,Speelwerk,pedagogical_staff,"
    result = run("staff", header + row + "KDV De Kikker/Zeepaardjes\n")
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    membership = Membership.objects.get(user=world.pm_a, role=Role.PEDAGOGICAL_STAFF)
    assert set(membership.groups.all()) == {world.group_b}

    result = run("staff", header + row + "\n")  # an empty cell: no groups any more
    assert (result.created, result.updated) == (0, 1)
    assert not membership.groups.exists()
    assert Membership.objects.filter(user=world.pm_a).count() == 1

    result = run("staff", header + row + "\n")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_imported_coverage_reaches_the_access_policy_both_ways(world):
    from alert4you.access_policy import staff_group_name

    header = "email,first_name,last_name,organisation,role,groups\n"
    row = "new.pm@example.org,Nieuw,Mens,Speelwerk,pedagogical_staff,"
    assert run("staff", header + row + "KDV De Kikker/Dolfijnen\n").ok
    user = get_user_model().objects.get(username="new.pm@example.org")
    assert user.groups.filter(name=staff_group_name(world.group_a)).exists()

    assert run("staff", header + row + "\n").ok
    assert not user.groups.filter(name=staff_group_name(world.group_a)).exists()


def test_reimport_does_not_reopen_an_ended_membership(world):
    membership = Membership.objects.get(user=world.pm_a)
    membership.end_date = membership.start_date
    membership.save()
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role,groups\n"
        "pm_a@example.org,Anna,Visser,Speelwerk,pedagogical_staff,Zeepaardjes\n",
    )
    assert result.ok, result.errors
    membership.refresh_from_db()
    assert membership.end_date == membership.start_date


def test_a_missing_optional_column_keeps_what_is_stored(world):
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role\n"
        "pm_a@example.org,Anna,Visser,Speelwerk,pedagogical_staff\n",
    )
    assert result.ok, result.errors
    assert set(Membership.objects.get(user=world.pm_a).groups.all()) == {world.group_a}


@pytest.mark.parametrize("kind", ["locations", "groups", "staff"])
def test_checking_a_file_takes_the_same_number_of_queries_for_few_or_many_rows(world, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = {
        "locations": "Speelwerk,Locatie {n},bso,Assen",
        "groups": "Speelwerk,KDV De Kikker,Groep {n},0-4,,12",
        "staff": "pm{n}@example.org,P,M,Speelwerk,pedagogical_staff,KDV De Kikker,Dolfijnen",
    }
    header = {
        "locations": "organisation,name,type,city",
        "groups": "organisation,location,name,age_band,kind,capacity",
        "staff": "email,first_name,last_name,organisation,role,locations,groups",
    }

    def file_of(size):
        return "\n".join([header[kind]] + [rows[kind].format(n=n) for n in range(size)])

    # Import once, so that checking again finds every row unchanged.
    assert run(kind, file_of(30)).ok
    queries = []
    for size in (3, 30):
        with CaptureQueriesContext(connection) as captured:
            result = run(kind, file_of(size))
        assert result.unchanged == size, result.errors
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_dry_run_reports_counts_and_saves_nothing(world):
    before = counts()
    result = run("locations", "organisation,name,type\nSpeelwerk,BSO Noord,bso\n", dry_run=True)
    assert result.ok and result.created == 1
    assert "Er is niets opgeslagen" in result.summary()
    assert counts() == before


# --- bad files ------------------------------------------------------------------------


def test_bad_rows_are_each_reported_by_row_and_column_and_nothing_is_saved(world):
    before = counts()
    history_before = Location.history.count()
    result = run(
        "locations",
        "organisation,name,type,postcode,municipality_cbs_code,pilot\n"
        "Speelwerk,BSO Goed,bso,9401 AB,GM0106,\n"  # row 2 is fine, but must not be saved
        "Nergens BV,BSO Fout,bso,,,\n"  # row 3: unknown organisation
        "Speelwerk,,kasteel,12345,GM9999,Geen pilot\n"  # row 4: five problems
        "\n"  # row 5: blank, still counted as a spreadsheet row
        "Speelwerk,BSO Goed,bso,,,\n",  # row 6: repeats row 2
    )
    assert not result.ok
    assert errors_of(result) == {
        (3, "organisation"),
        (4, "name"),
        (4, "type"),
        (4, "postcode"),
        (4, "municipality_cbs_code"),
        (4, "pilot"),
        (6, "name"),
    }
    assert "kdv" in next(e.message for e in result.errors if e.column == "type")
    assert counts() == before
    assert Location.history.count() == history_before


def test_bad_group_and_staff_cells_are_reported(world):
    result = run(
        "groups",
        "organisation,location,name,age_band,kind,capacity\n"
        "Speelwerk,KDV De Kikker,Vlinders,1-feb,extra,41\n"
        "Speelwerk,Elders,Vlinders,0-4,regular,twaalf\n",
    )
    assert errors_of(result) == {
        (2, "age_band"),
        (2, "kind"),
        (2, "capacity"),
        (3, "location"),
        (3, "capacity"),
    }
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role,locations,groups\n"
        "not-an-email,,Dekker,Speelwerk,boss,KDV Elders,Nergens/Niets\n",
    )
    assert errors_of(result) == {
        (2, "email"),
        (2, "first_name"),
        (2, "role"),
        (2, "locations"),
        (2, "groups"),
    }


def test_staff_cannot_cover_a_location_of_another_organisation(world):
    before = counts()
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role,locations\n"
        "new@example.org,Nieuw,Mens,Speelwerk,location_manager,KDV Elders\n",
    )
    assert errors_of(result) == {(2, "locations")}
    assert counts() == before


def test_missing_required_columns_are_named(world):
    result = run("groups", "organisation;name;capacity\nSpeelwerk;Vlinders;12\n")
    assert [(e.row, e.column) for e in result.errors] == [(1, "location, age_band")]
    assert "location, age_band" in result.errors[0].message


def test_an_unknown_column_is_reported_rather_than_ignored(world):
    result = run("organisations", "name,kind,gemeente\nSpeelwerk,childcare,Assen\n")
    assert errors_of(result) == {(1, "gemeente")}


def test_a_row_with_too_many_cells_is_reported(world):
    result = run("organisations", "name,kind\nSpeelwerk,childcare,extra\n")
    assert errors_of(result) == {(2, "")}


def test_an_empty_file_and_an_excel_workbook_are_refused(world):
    assert errors_of(import_csv(kind="staff", file=b"", actor=None)) == {(None, "")}
    workbook = b"PK\x03\x04\x14\x00\x06\x00rest of a zip"
    result = import_csv(kind="staff", file=workbook, actor=None)
    assert "Excel" in result.errors[0].message


def test_a_database_conflict_is_reported_and_rolls_everything_back(world, monkeypatch):
    from django.db import IntegrityError

    def refuse(self, *args, **kwargs):
        if self.name == "Tweede":
            raise IntegrityError("duplicate key")
        return original(self, *args, **kwargs)

    original = Organisation.save
    monkeypatch.setattr(Organisation, "save", refuse)
    before = counts()
    result = run("organisations", "name,kind\nEerste,school\nTweede,school\n")
    assert errors_of(result) == {(3, "")}
    assert counts() == before


# --- delimiters and encodings ---------------------------------------------------------


def test_semicolon_delimited_file_with_bom_from_dutch_excel_is_read(world):
    text = (
        "organisation;name;type;city\r\n"
        "Speelwerk;BSO Zuid;BSO;Assen\r\n"
        'Speelwerk;"BSO De Brug; Noord";bso;Assen\r\n'
    )
    result = import_csv(kind="locations", file=b"\xef\xbb\xbf" + text.encode(), actor=None)
    assert result.ok, result.errors
    assert Location.objects.filter(name="BSO De Brug; Noord").exists()


def test_windows_1252_file_is_read(world):
    text = "name;kind\r\nKinderopvang Zoë;childcare\r\n"
    result = import_csv(kind="organisations", file=text.encode("cp1252"), actor=None)
    assert result.ok, result.errors
    assert Organisation.objects.filter(name="Kinderopvang Zoë").exists()


def test_headers_with_spaces_and_capitals_are_accepted(world):
    result = run("organisations", "Name,Kind,Municipality CBS code\nNieuw,school,GM0106\n")
    assert result.ok, result.errors


# --- organisation admins stay in their own organisation -----------------------------------


def test_admin_cannot_import_a_row_for_another_organisation(world):
    before = counts()
    result = run(
        "locations",
        "organisation,name,type\nSpeelwerk,BSO Oost,bso\nElders BV,BSO Elders,bso\n",
        world=world,
        scoped=True,
    )
    assert errors_of(result) == {(3, "organisation")}
    assert counts() == before


def test_admin_gets_the_same_answer_for_an_organisation_that_does_not_exist(world):
    exists = run("groups", _groups_row("Elders BV"), world=world, scoped=True)
    missing = run("groups", _groups_row("Bestaat Niet"), world=world, scoped=True)
    assert [e.message for e in exists.errors] == [e.message for e in missing.errors]


def _groups_row(organisation):
    return f"organisation,location,name,age_band,capacity\n{organisation},KDV Elders,X,0-4,10\n"


def test_admin_may_update_only_their_own_organisation_row(world):
    result = run(
        "organisations",
        "name,kind\nSpeelwerk,childcare\nNieuwe Opvang,childcare\nElders BV,school\n",
        world=world,
        scoped=True,
    )
    assert errors_of(result) == {(3, "name"), (4, "name")}
    assert not Organisation.objects.filter(name="Nieuwe Opvang").exists()


def test_admin_cannot_rename_someone_who_also_works_elsewhere(world):
    result = run(
        "staff",
        "email,first_name,last_name,organisation,role\n"
        "outsider@example.org,Hacked,Name,Speelwerk,pedagogical_staff\n",
        world=world,
        scoped=True,
    )
    assert result.ok, result.errors
    world.outsider.refresh_from_db()
    assert world.outsider.first_name == "Olaf"
    assert Membership.objects.filter(user=world.outsider, organisation=world.childcare).exists()


def test_import_for_an_organisation_the_actor_does_not_administer_is_refused(world):
    with pytest.raises(PermissionDenied):
        import_csv(kind="groups", file=b"x", actor=world.org_admin, organisation=world.elsewhere)


# --- the upload page ---------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["outsider", "pm_a", "manager", "project_leader"])
def test_users_who_administer_no_organisation_get_404(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 404
    assert upload(client, "name,kind\nX,school\n", "organisations").status_code == 404


def test_admin_sees_the_form_and_the_columns_of_every_kind(client, world):
    client.force_login(world.org_admin)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert "Speelwerk" in body
    for spec in KINDS.values():
        for column in spec.column_names:
            assert f"<code>{column}</code>" in body
    assert 'name="organisation"' not in body  # one organisation: nothing to choose


def test_admin_uploads_a_file_and_is_redirected_with_the_counts(client, world):
    client.force_login(world.org_admin)
    response = upload(client, "organisation,name,type\nSpeelwerk,BSO West,bso\n", "locations")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?kind=locations"
    assert Location.objects.filter(organisation=world.childcare, name="BSO West").exists()
    page = client.get(response["Location"])
    assert "1 nieuw" in page.content.decode()
    assert Location.objects.get(name="BSO West").history.get().history_user == world.org_admin


def test_admin_sees_each_error_in_a_table_and_nothing_is_saved(client, world):
    client.force_login(world.org_admin)
    before = counts()
    response = upload(
        client,
        "organisation,name,type\nSpeelwerk,BSO West,bso\nElders BV,BSO Elders,bso\n"
        "Speelwerk,BSO Oost,kasteel\n",
        "locations",
    )
    assert response.status_code == 200
    assert counts() == before
    assert [(e.row, e.column) for e in response.context["result"].errors] == [
        (3, "organisation"),
        (4, "type"),
    ]
    body = response.content.decode()
    assert 'id="import-errors"' in body and "<caption" in body
    assert '<th scope="row">3</th>' in body and '<th scope="row">4</th>' in body


def test_admin_check_only_saves_nothing(client, world):
    client.force_login(world.org_admin)
    before = counts()
    response = upload(
        client, "organisation,name,type\nSpeelwerk,BSO West,bso\n", "locations", dry_run="on"
    )
    assert response.status_code == 302
    assert counts() == before


def test_upload_refuses_a_file_that_is_not_csv(client, world):
    client.force_login(world.org_admin)
    response = upload(client, "name,kind\n", "organisations", name="import.xlsx")
    assert response.status_code == 200
    assert response.context["form"].has_error("file")


def test_upload_refuses_a_file_over_two_megabytes(client, world):
    client.force_login(world.org_admin)
    big = "name,kind\n" + "x" * (2 * 1024 * 1024)
    response = upload(client, big, "organisations")
    assert response.context["form"].has_error("file", "too_large")


def test_admin_of_several_organisations_picks_one_and_rows_must_match_it(client, world):
    from tests.conftest import add_membership

    add_membership(world.org_admin, world.elsewhere, Role.ORGANISATION_ADMIN)
    client.force_login(world.org_admin)
    assert 'name="organisation"' in client.get(URL).content.decode()
    text = "organisation,name,type\nElders BV,BSO Elders,bso\n"
    response = upload(client, text, "locations", organisation=str(world.childcare.uuid))
    assert response.status_code == 200
    assert not Location.objects.filter(name="BSO Elders").exists()
    response = upload(client, text, "locations", organisation=str(world.elsewhere.uuid))
    assert response.status_code == 302
    assert Location.objects.filter(organisation=world.elsewhere, name="BSO Elders").exists()


def test_admin_cannot_pick_an_organisation_they_do_not_administer(client, world):
    from tests.conftest import add_membership

    add_membership(world.org_admin, world.elsewhere, Role.ORGANISATION_ADMIN)
    client.force_login(world.org_admin)
    text = "organisation,name,type\nOBS De Vlinder,Hoofdgebouw,school\n"
    response = upload(client, text, "locations", organisation=str(world.school.uuid))
    assert response.context["form"].has_error("organisation")
    assert not Location.objects.filter(name="Hoofdgebouw").exists()


# --- the management command ----------------------------------------------------------------


def test_command_imports_a_file_and_prints_a_summary(world, tmp_path, capsys):
    path = tmp_path / "groups.csv"
    path.write_text(
        "organisation;location;name;age_band;capacity\nElders BV;KDV Elders;Mol;0-4;9\n"
    )
    call_command("import_csv", "groups", str(path))
    assert "1 nieuw" in capsys.readouterr().out
    assert Group.objects.filter(location=world.other_location, name="Mol").exists()


def test_command_reports_every_error_and_saves_nothing(world, tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(
        "organisation,location,name,age_band,capacity\n"
        "Elders BV,KDV Elders,Mol,0-4,9\n"
        "Elders BV,KDV Elders,Egel,0-4,99\n"
        "Elders BV,Nergens,Das,0-4,9\n"
    )
    before = counts()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_csv", "groups", str(path))
    message = str(excinfo.value)
    assert "rij 3, kolom capacity:" in message
    assert "rij 4, kolom location:" in message
    assert counts() == before


def test_command_restricted_to_an_organisation_refuses_other_rows(world, tmp_path):
    path = tmp_path / "locations.csv"
    path.write_text("organisation,name,type\nElders BV,BSO Elders,bso\n")
    with pytest.raises(CommandError, match="rij 2, kolom organisation"):
        call_command("import_csv", "locations", str(path), organisation="Speelwerk")
    assert not Location.objects.filter(name="BSO Elders").exists()


def test_command_dry_run_saves_nothing(world, tmp_path, capsys):
    path = tmp_path / "organisations.csv"
    path.write_text("name,kind\nNieuw,school\n")
    call_command("import_csv", "organisations", str(path), dry_run=True)
    assert "Er is niets opgeslagen" in capsys.readouterr().out
    assert not Organisation.objects.filter(name="Nieuw").exists()


def test_command_refuses_an_unknown_organisation_or_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_csv", "groups", str(tmp_path / "x.csv"), organisation="Nergens")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_csv", "groups", str(tmp_path / "missing.csv"))
