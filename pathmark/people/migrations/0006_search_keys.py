"""Search keys for names and phone numbers (see `people.searchkeys`), filled for everyone
already registered; on PostgreSQL, pg_trgm and a trigram index so a misspelt name is found
from the index. SQLite has no trigram index; its search narrows by substring (see
`people.selectors.search_people`)."""

from django.conf import settings
from django.db import migrations, models

from pathmark.people import searchkeys

TRIGRAM_INDEX = "person_name_key_trgm"


def fill_keys(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    changed = []
    for person in Person._base_manager.only("pk", "name", "preferred_name", "phone").iterator():
        person.name_key = searchkeys.name_key(person.name, person.preferred_name)
        person.phone_key = searchkeys.phone_key(person.phone)
        changed.append(person)
    Person._base_manager.bulk_update(changed, ["name_key", "phone_key"], batch_size=1000)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON people_person "
        "USING gin (name_key gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_partnership_host_and_retention_range'),
        ('people', '0005_person_key_worker'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='name_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=600),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=40),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['organisation', 'phone_key'], name='person_org_phone'),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
