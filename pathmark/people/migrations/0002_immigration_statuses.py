"""The starting list of immigration status categories; administrators may change it."""

from django.db import migrations

CATEGORIES = [
    ("asylum-seeker", "Asylum seeker (claim pending)"),
    ("refugee-status", "Refugee status"),
    ("humanitarian-protection", "Humanitarian protection"),
    ("resettlement", "Resettlement scheme (e.g. UK Resettlement Scheme, ACRS)"),
    ("ukraine-scheme", "Ukraine scheme (Homes for Ukraine, family scheme)"),
    ("bno", "British National (Overseas) visa"),
    ("family-reunion", "Family reunion"),
    ("eu-settlement", "EU Settlement Scheme"),
    ("refused", "Claim refused / appeal"),
    ("other-visa", "Other visa"),
    ("british-citizen", "British citizen"),
    ("not-known", "Not known / prefers not to say"),
]


def add_categories(apps, schema_editor):
    ImmigrationStatus = apps.get_model("people", "ImmigrationStatus")
    for position, (slug, label) in enumerate(CATEGORIES):
        ImmigrationStatus.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
