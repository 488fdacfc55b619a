"""PostgreSQL refuses UPDATE and DELETE on the audit tables; only retention may delete.

The retention job sets `sunflower.audit_retention = 'on'` for its own transaction (SET LOCAL).
SQLite has no session settings to carry that permission; there the rule is kept by code and
checked by `sunflower audit verify`.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditseal")

CREATE = """
CREATE OR REPLACE FUNCTION sunflower_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('sunflower.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sunflower_audit_append_only()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS sunflower_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(install, remove)]
