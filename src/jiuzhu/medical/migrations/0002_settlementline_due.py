"""A settled stay keeps its share by rate (``due``) beside what was paid (``assistance``), so a
cut by the yearly cap is visible: existing lines take it from their file's validated rows (the
share as judged), or their paid amount when the row is not found."""

from decimal import Decimal

from django.db import migrations, models


def fill(apps, schema_editor):
    Line = apps.get_model("medical", "SettlementLine")
    File = apps.get_model("medical", "SettlementFile")
    for f in File.objects.filter(lines__isnull=False).distinct().iterator():
        due = {r.get("row"): r.get("due") for r in f.rows or []}
        for ln in Line.objects.filter(source=f):
            ln.due = Decimal(due.get(ln.row) or ln.assistance)
            ln.due = max(ln.due, ln.assistance)
            ln.save(update_fields=["due"])


class Migration(migrations.Migration):
    dependencies = [("medical", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="settlementline",
            name="due",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=12, verbose_name="按比例应救助"
            ),
        ),
        migrations.AlterField(
            model_name="settlementline",
            name="assistance",
            field=models.DecimalField(decimal_places=2, max_digits=12, verbose_name="医疗救助金额（实付）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
