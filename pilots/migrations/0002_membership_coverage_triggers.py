"""A membership may only cover locations and groups of its own organisation.

The rule spans tables, which a CHECK constraint cannot express, so triggers
enforce it in the database itself: on the coverage rows, and on the columns
whose change could move existing coverage into another organisation.
"""

from django.db import migrations

MESSAGE = "membership covers a location or group of another organisation"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION pilots_membership_location_same_org() RETURNS trigger AS $$
BEGIN
  IF (SELECT organisation_id FROM pilots_membership WHERE id = NEW.membership_id)
     IS DISTINCT FROM (SELECT organisation_id FROM pilots_location WHERE id = NEW.location_id) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER pilots_membershiplocation_same_org BEFORE INSERT OR UPDATE
  ON pilots_membershiplocation FOR EACH ROW EXECUTE FUNCTION pilots_membership_location_same_org();

CREATE OR REPLACE FUNCTION pilots_membership_group_same_org() RETURNS trigger AS $$
BEGIN
  IF (SELECT organisation_id FROM pilots_membership WHERE id = NEW.membership_id)
     IS DISTINCT FROM (SELECT l.organisation_id FROM pilots_group g
                       JOIN pilots_location l ON l.id = g.location_id WHERE g.id = NEW.group_id) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER pilots_membershipgroup_same_org BEFORE INSERT OR UPDATE
  ON pilots_membershipgroup FOR EACH ROW EXECUTE FUNCTION pilots_membership_group_same_org();

CREATE OR REPLACE FUNCTION pilots_coverage_stays_in_org() RETURNS trigger AS $$
BEGIN
  IF EXISTS (
      SELECT 1 FROM pilots_membershiplocation ml
        JOIN pilots_membership m ON m.id = ml.membership_id
        JOIN pilots_location l ON l.id = ml.location_id
       WHERE m.organisation_id <> l.organisation_id)
     OR EXISTS (
      SELECT 1 FROM pilots_membershipgroup mg
        JOIN pilots_membership m ON m.id = mg.membership_id
        JOIN pilots_group g ON g.id = mg.group_id
        JOIN pilots_location l ON l.id = g.location_id
       WHERE m.organisation_id <> l.organisation_id) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER pilots_membership_org_change AFTER UPDATE OF organisation_id
  ON pilots_membership FOR EACH STATEMENT EXECUTE FUNCTION pilots_coverage_stays_in_org();
CREATE TRIGGER pilots_location_org_change AFTER UPDATE OF organisation_id
  ON pilots_location FOR EACH STATEMENT EXECUTE FUNCTION pilots_coverage_stays_in_org();
CREATE TRIGGER pilots_group_location_change AFTER UPDATE OF location_id
  ON pilots_group FOR EACH STATEMENT EXECUTE FUNCTION pilots_coverage_stays_in_org();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS pilots_group_location_change ON pilots_group;
DROP TRIGGER IF EXISTS pilots_location_org_change ON pilots_location;
DROP TRIGGER IF EXISTS pilots_membership_org_change ON pilots_membership;
DROP FUNCTION IF EXISTS pilots_coverage_stays_in_org();
DROP TRIGGER IF EXISTS pilots_membershipgroup_same_org ON pilots_membershipgroup;
DROP FUNCTION IF EXISTS pilots_membership_group_same_org();
DROP TRIGGER IF EXISTS pilots_membershiplocation_same_org ON pilots_membershiplocation;
DROP FUNCTION IF EXISTS pilots_membership_location_same_org();
"""

_SQLITE_LOCATION_CHECK = """
  SELECT RAISE(ABORT, '{message}')
   WHERE (SELECT organisation_id FROM pilots_membership WHERE id = NEW.membership_id)
      IS NOT (SELECT organisation_id FROM pilots_location WHERE id = NEW.location_id);
"""
_SQLITE_GROUP_CHECK = """
  SELECT RAISE(ABORT, '{message}')
   WHERE (SELECT organisation_id FROM pilots_membership WHERE id = NEW.membership_id)
      IS NOT (SELECT l.organisation_id FROM pilots_group g
              JOIN pilots_location l ON l.id = g.location_id WHERE g.id = NEW.group_id);
"""
_SQLITE_ORG_CHECK = """
  SELECT RAISE(ABORT, '{message}')
   WHERE EXISTS (SELECT 1 FROM pilots_membershiplocation ml
                   JOIN pilots_membership m ON m.id = ml.membership_id
                   JOIN pilots_location l ON l.id = ml.location_id
                  WHERE m.organisation_id <> l.organisation_id)
      OR EXISTS (SELECT 1 FROM pilots_membershipgroup mg
                   JOIN pilots_membership m ON m.id = mg.membership_id
                   JOIN pilots_group g ON g.id = mg.group_id
                   JOIN pilots_location l ON l.id = g.location_id
                  WHERE m.organisation_id <> l.organisation_id);
"""


def _sqlite_statements():
    fmt = {"message": MESSAGE}
    location = _SQLITE_LOCATION_CHECK.format(**fmt)
    group = _SQLITE_GROUP_CHECK.format(**fmt)
    org = _SQLITE_ORG_CHECK.format(**fmt)
    triggers = [
        ("pilots_ml_insert", "BEFORE INSERT ON pilots_membershiplocation", location),
        ("pilots_ml_update", "BEFORE UPDATE ON pilots_membershiplocation", location),
        ("pilots_mg_insert", "BEFORE INSERT ON pilots_membershipgroup", group),
        ("pilots_mg_update", "BEFORE UPDATE ON pilots_membershipgroup", group),
        ("pilots_m_org", "AFTER UPDATE OF organisation_id ON pilots_membership", org),
        ("pilots_l_org", "AFTER UPDATE OF organisation_id ON pilots_location", org),
        ("pilots_g_loc", "AFTER UPDATE OF location_id ON pilots_group", org),
    ]
    return [
        f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN {body} END;"
        for name, when, body in triggers
    ], [f"DROP TRIGGER IF EXISTS {name};" for name, _, _ in triggers]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for statement in _sqlite_statements()[0]:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No coverage triggers for the {vendor} database.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        for statement in _sqlite_statements()[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
