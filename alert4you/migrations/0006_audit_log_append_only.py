"""The audit log (`AuditEntry`) may grow, never change."""

from django.db import migrations

# Append-only in the database itself: whatever code runs (a raw query, a bulk
# update, a shell), a row of the audit log can be added but never changed or
# removed. TRUNCATE fires no row trigger, so test databases still flush.
CREATE_SQL = """
CREATE OR REPLACE FUNCTION alert4you_audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'alert4you_auditentry is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS alert4you_audit_log_append_only ON alert4you_auditentry;
CREATE TRIGGER alert4you_audit_log_append_only BEFORE UPDATE OR DELETE
  ON alert4you_auditentry FOR EACH ROW EXECUTE FUNCTION alert4you_audit_log_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS alert4you_audit_log_append_only ON alert4you_auditentry;
DROP FUNCTION IF EXISTS alert4you_audit_log_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        # PostgreSQL only; the embedded SQLite default keeps the Django-level guards.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("alert4you", "0005_audit_fields_retention"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE_SQL), _on_postgresql(DROP_SQL), elidable=False),
    ]
