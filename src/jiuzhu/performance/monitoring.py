"""The monitored low-income population (低收入人口动态监测, DOMAIN §3): every registry
household the policy rules find eligible for dibao or extreme-poverty support, low-income
marginal, or in rigid-expenditure hardship — judged set-based with the rules' batch path, so
the whole registry is judged in one pass. The coverage KPI divides recipients by it."""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db import transaction

from jiuzhu.decisions.frames import registry_frames
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.registry.models import Household

from .models import MonitoredHousehold

CATEGORIES = ("extreme_poverty", "minimum_living")  # tekun first: the first match names the status


def monitored_services(policy) -> list[str]:
    return [s.code for cat in CATEGORIES for s in policy.services_in(cat)]


@transaction.atomic
def monitoring_refresh(*, policy, on: date) -> int:
    """Replace the monitored households with the rules' judgement as of ``on``; returns how
    many households are monitored."""
    frames, members = registry_frames(on)
    MonitoredHousehold.objects.all().delete()
    if len(frames) == 0:
        return 0
    codes = monitored_services(policy)
    wide = evaluate_batch(frames, on, policy, codes)
    status = pl.lit(None, dtype=pl.String)
    for code in reversed(codes):  # the first eligible service wins
        status = pl.when(pl.col(f"{code}_eligible")).then(pl.lit(code)).otherwise(status)
    flagged = wide.select("hh_id", status.alias("status")).filter(pl.col("status").is_not_null())
    ids = flagged["hh_id"].to_list()
    towns = dict(Household.objects.filter(id__in=ids).values_list("id", "town_id"))
    rows = [
        MonitoredHousehold(
            household_id=hh, town_id=towns[hh], status=st, persons=len(members.get(hh, ())), as_of=on
        )
        for hh, st in flagged.iter_rows()
    ]
    MonitoredHousehold.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
