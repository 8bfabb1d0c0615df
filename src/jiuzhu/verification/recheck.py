"""Periodic re-verification (``jiuzhu verify --recipients``): every current recipient household
against the latest datasets, set-based — one matching run over all their members (exact
join, then Splink on the records without a valid number) — then each household's figures
are rebuilt and compared with the report its service rests on. A change raises an alert on
the case once: a new vehicle or house, a new employment or business, income now above the
service's threshold, a death. Re-running with no new data raises nothing new (each alert
has a unique key).

Probable matches under the certainty threshold are not used here; they are counted in the
run's summary (an officer settles them through a verification request), and remembered
decisions apply as everywhere else."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db import IntegrityError, transaction

from jiuzhu.common import clock
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person

from . import datasets, matching, reports, selectors
from .models import ChangeAlert, Match, MatchDecision, RecheckRun, SourceRecord, VerificationReport
from .services import REPORT_RECORD_FIELDS, household_dict, member_dict
from .sources import catalogue

CHUNK = 20_000
NEW_THINGS = {
    "vehicle": ChangeAlert.VEHICLE,
    "house": ChangeAlert.HOUSE,
    "business_capital": ChangeAlert.BUSINESS,
}


@dataclass
class RecheckResult:
    run: RecheckRun
    households: int = 0
    persons: int = 0
    records: int = 0
    pairs: int = 0
    uncertain: int = 0
    new_alerts: list[ChangeAlert] = field(default_factory=list)

    def __str__(self):
        return (
            f"复核 {self.households} 户 {self.persons} 人，读取来源记录 {self.records} 条，匹配 {self.pairs} 条"
            f"（待人工确认 {self.uncertain} 条未采用），新预警 {len(self.new_alerts)} 条"
        )


def _persons_frame(household_ids: list[int]) -> pl.DataFrame:
    rows = Person.objects.filter(household_id__in=household_ids).values_list(
        "pk", "id_number", "name", "birth_date", "gender", "phone", "household__address"
    )
    return pl.DataFrame(
        [(pk, i, n, b.isoformat(), g, ph or None, a or None) for pk, i, n, b, g, ph, a in rows],
        schema={"person_id": pl.Int64, **{c: pl.String for c in matching.PERSON_COLUMNS[1:]}},
        orient="row",
    )


def _records_frame(version_ids: list[int], household_ids: list[int]) -> pl.DataFrame:
    """Records with a valid number of a recipient member (a join in the database), and every
    record without a valid number (the probabilistic pool)."""
    cols = ("id", "id_raw", "id_key", "id_valid", "name", "birth_date", "gender", "phone", "address")
    ids = Person.objects.filter(household_id__in=household_ids).values("id_number")
    exact = SourceRecord.objects.filter(dataset_id__in=version_ids, id_valid=True, id_key__in=ids)
    pool = SourceRecord.objects.filter(dataset_id__in=version_ids, id_valid=False)
    rows = list(exact.values_list(*cols)) + list(pool.values_list(*cols))
    schema = {
        "record_id": pl.Int64,
        "id_raw": pl.String,
        "id_key": pl.String,
        "id_valid": pl.Boolean,
        **{c: pl.String for c in ("name", "birth_date", "gender", "phone", "address")},
    }
    return pl.DataFrame(
        [
            (
                r[0],
                r[1] or None,
                r[2],
                r[3],
                r[4] or None,
                r[5].isoformat() if r[5] else None,
                r[6] or None,
                r[7] or None,
                r[8] or None,
            )
            for r in rows
        ],
        schema=schema,
        orient="row",
    )


def run(*, on: date, engine: str = "duckdb", progress: bool = True, started_by: str = "") -> RecheckResult:
    """Re-check every current recipient household as of ``on``."""
    triples = selectors.recipient_households(on)
    run_row = RecheckRun.objects.create(as_of=on, engine=engine, started_by=started_by)
    result = RecheckResult(run=run_row)
    hh_ids = sorted({h for h, _, _ in triples})
    result.households = len(hh_ids)
    versions = [v.pk for s in catalogue().sources if (v := datasets.version_for(s.code, on)) is not None]
    if not hh_ids or not versions:
        return _finish(result)
    persons = _persons_frame(hh_ids)
    records = _records_frame(versions, hh_ids)
    result.persons, result.records = persons.height, records.height
    config = matching.settings()
    pairs = matching.decide(
        matching.match_frames(persons, records, config=config, engine=engine, progress=progress)
    )
    accepted = _apply_decisions(pairs)
    result.pairs, result.uncertain = accepted.height, pairs.filter(pl.col("state") == Match.PENDING).height
    _alerts_for_households(result, triples, accepted, on=on, progress=progress)
    return _finish(result)


def _apply_decisions(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pending pairs an officer once accepted are used; pairs once rejected are dropped."""
    fuzzy = pairs.filter(pl.col("kind") == Match.FUZZY)
    if fuzzy.height == 0:
        return pairs.filter(pl.col("state") == Match.ACCEPTED)
    prints = dict(
        SourceRecord.objects.filter(pk__in=fuzzy.get_column("record_id").to_list()).values_list(
            "pk", "fingerprint"
        )
    )
    decided: dict[tuple[int, str | None], bool] = {
        (p, f): ok
        for p, f, ok in MatchDecision.objects.filter(fingerprint__in=set(prints.values())).values_list(
            "person_id", "fingerprint", "accepted"
        )
    }
    verdict = [
        decided.get((p, prints.get(r))) for p, r in zip(pairs["person_id"], pairs["record_id"], strict=True)
    ]
    pairs = pairs.with_columns(decided=pl.Series(verdict, dtype=pl.Boolean))
    keep = (pl.col("decided") == True) | ((pl.col("state") == Match.ACCEPTED) & (pl.col("decided") != False))  # noqa: E712
    return pairs.filter(keep.fill_null(pl.col("state") == Match.ACCEPTED)).drop("decided")


def _alerts_for_households(
    result: RecheckResult, triples, accepted: pl.DataFrame, *, on: date, progress: bool
):
    from tqdm import tqdm

    policy = current_policy()
    names = {s.code: s.name for s in catalogue().sources}
    recs = {}
    ids = accepted.get_column("record_id").to_list()
    for i in range(0, len(ids), CHUNK):
        for r in SourceRecord.objects.filter(pk__in=ids[i : i + CHUNK]).values(*REPORT_RECORD_FIELDS):
            recs[r["id"]] = r
    by_person: dict[int, list[dict]] = {}
    for p, r, kind, prob, levels in accepted.select(
        "person_id", "record_id", "kind", "probability", "levels"
    ).iter_rows():
        by_person.setdefault(p, []).append(
            {
                "person_id": p,
                "record": recs[r],
                "match": {"kind": kind, "probability": prob, "levels": json.loads(levels or "{}")},
            }
        )
    households = Household.objects.in_bulk(sorted({h for h, _, _ in triples}))
    baselines = VerificationReport.objects.in_bulk(sorted({r for _, _, r in triples}))
    for hh_id, service, report_id in tqdm(
        triples, desc="复核", unit="户", file=sys.stderr, disable=not progress
    ):
        hh = households[hh_id]
        members = list(hh.members.order_by("id"))
        matched = [mt for p in members for mt in by_person.get(p.pk, [])]
        snap = reports.build(
            household=household_dict(hh),
            members=[member_dict(p) for p in members],
            matched=matched,
            as_of=on,
            service_code=service,
            policy=policy,
            sources_used=[],
            matching=matching.settings().as_dict(),
            source_names=names,
        )
        for alert in _changes(baselines[report_id], snap):
            created = _raise(result.run, hh, service, baselines[report_id], **alert)
            if created is not None:
                result.new_alerts.append(created)


def _keys(snap: dict) -> dict[int, list[dict]]:
    return {mb["person_id"]: mb["items"] for mb in snap["members"]}


def _changes(baseline: VerificationReport, now: dict):
    """What is new since the baseline report, as alert descriptions."""
    before = _keys(baseline.snapshot)
    seen = {(i["item"], i.get("ref") or i.get("fingerprint")) for items in before.values() for i in items}
    employed_before = {
        p
        for p, items in before.items()
        if any(i["item"] in ("wages", "employment") and i.get("counted") is not False for i in items)
    }
    for mb in now["members"]:
        pid, name = mb["person_id"], mb["name"]
        for i in mb["items"]:
            key = (i["item"], i.get("ref") or i.get("fingerprint"))
            if i["item"] in NEW_THINGS and i["counted"] and key not in seen:
                what = {"vehicle": "机动车辆", "house": "房产", "business_capital": "市场主体"}[i["item"]]
                yield {
                    "kind": NEW_THINGS[i["item"]],
                    "person_id": pid,
                    "evidence": key[1],
                    "detail": f"{name} 新增{what}（{i['source_name']}，{i.get('ref') or ''}，{i.get('record_date') or ''}）",
                }
            if i["item"] == "death" and key not in seen:
                yield {
                    "kind": ChangeAlert.DEATH,
                    "person_id": pid,
                    "evidence": key[1],
                    "detail": f"{name} 死亡登记（{i.get('record_date') or ''}），须在3个月内复核",
                }
        employed = [
            i for i in mb["items"] if i["item"] in ("wages", "employment") and i.get("counted") is not False
        ]
        if employed and pid not in employed_before:
            i = employed[0]
            yield {
                "kind": ChangeAlert.EMPLOYMENT,
                "person_id": pid,
                "evidence": i.get("fingerprint"),
                "detail": f"{name} 新增就业或工资收入（{i['source_name']}）",
            }
    old = {r["rule"]: r["passed"] for r in baseline.snapshot["comparison"]["reasons"]}
    for r in now["comparison"]["reasons"]:
        if "income" in r["rule"] and not r["passed"] and old.get(r["rule"]):
            yield {
                "kind": ChangeAlert.INCOME,
                "person_id": None,
                "evidence": r["rule"],
                "detail": f"收入超过标准：{r['detail']}",
            }


def _raise(run_row, hh, service, baseline, *, kind, person_id, evidence, detail) -> ChangeAlert | None:
    key = f"{baseline.pk}:{kind}:{person_id or ''}:{evidence or ''}"[:200]
    if ChangeAlert.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return ChangeAlert.objects.create(
                key=key,
                household=hh,
                service_code=service,
                report=baseline,
                person_id=person_id,
                kind=kind,
                detail=detail[:300],
                evidence={"key": evidence},
                run=run_row,
            )
    except IntegrityError:  # a concurrent run raised it first
        return None


def _finish(result: RecheckResult) -> RecheckResult:
    run_row = result.run
    run_row.finished_at = clock.now()
    run_row.households, run_row.records, run_row.alerts_new = (
        result.households,
        result.records,
        len(result.new_alerts),
    )
    run_row.save()
    return result
