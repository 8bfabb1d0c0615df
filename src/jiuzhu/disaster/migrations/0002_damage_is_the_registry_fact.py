"""The damage of an affected household is recorded once, as the household's disaster fact in
the registry (``registry.ProgrammeFact`` of kind ``disaster``, read by the rules): each existing
row's persons, displaced persons and house damage become such a fact, dated on the event's
day, and the row links to it; the three columns go."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = {"landslide": "geological", "snow": "snow_ice"}
LEVELS = {"I": "1", "II": "2", "III": "3", "IV": "4"}


def to_facts(apps, schema_editor):
    Affected = apps.get_model("disaster", "AffectedHousehold")
    Fact = apps.get_model("registry", "ProgrammeFact")
    for a in Affected.objects.select_related("event", "source").order_by("pk").iterator():
        aid = apps.get_model("disaster", "TransitionalAid").objects.filter(affected_id=a.pk).first()
        days = 0
        if a.displaced:
            days = aid.max_days if aid is not None else 1
        fact = Fact.objects.create(
            household_id=a.household_id,
            kind="disaster",
            effective_on=a.event.occurred_on,
            data={
                "event": a.event.name[:100],
                "event_on": a.event.occurred_on.isoformat(),
                "disaster_kind": KINDS.get(a.event.kind, a.event.kind),
                "response_level": LEVELS.get(a.event.level, ""),
                "house_damage": a.house_damage,
                "persons_affected": a.persons,
                "persons_displaced": a.displaced,
                "displaced_days": days,
                "winter_hardship": False,
            },
            recorded_by_id=a.source.applied_by_id or a.source.uploaded_by_id,
        )
        a.fact_id = fact.pk
        a.save(update_fields=["fact"])


class Migration(migrations.Migration):
    dependencies = [
        ("disaster", "0001_initial"),
        ("registry", "0006_programme_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="affectedhousehold",
            name="fact",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disaster_registration",
                to="registry.programmefact",
                verbose_name="受灾情况",
            ),
        ),
        migrations.RunPython(to_facts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="affectedhousehold", name="persons"),
        migrations.RemoveField(model_name="affectedhousehold", name="displaced"),
        migrations.RemoveField(model_name="affectedhousehold", name="house_damage"),
        migrations.AlterField(
            model_name="affectedhousehold",
            name="fact",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disaster_registration",
                to="registry.programmefact",
                verbose_name="受灾情况",
            ),
        ),
    ]
