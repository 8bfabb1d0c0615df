"""Caseload import (存量导入): upload → validate → report → match → approve (a second
person) → apply, in one transaction, as a background job with progress (DOMAIN §6).

- ``batch_upload`` reads the file, checks every cell and row (``validation``), matches the
  valid rows against the registry (``matching``: exact ID, then the linkage engine for
  possible duplicates) and keeps the report; the validated rows wait on disk (parquet).
- ``duplicate_decide``: an officer says whether a possible duplicate is the same person.
- ``batch_approve``: a second person (not the uploader) approves a report without errors and
  without undecided duplicates; the apply job is queued.
- ``batch_apply`` (the job): new households with their members, incomes and assets go in
  set-based (``registry.bulk.write_chunks``: COPY on PostgreSQL, multi-row INSERTs on
  SQLite); entitlements keep their history (one row per period, ``previous`` linking them),
  bank accounts are stored encrypted; then the rules judge every imported running
  entitlement set-based (``policy.batch``): a differing amount or an ineligible household is
  flagged and a review opened — the amount is never changed by the import. All of it is one
  transaction: it lands whole or not at all.

What the registry holds already is never overwritten: a household or person found by code or
ID is left as it is (a different fact there is a change request's business), and an
entitlement already recorded (household, service, payee, start month) is not added again —
so the same file applied twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction

from jiuzhu.common import clock, values
from jiuzhu.common.errors import IllegalTransition, NotFound, ValidationFailed
from jiuzhu.common.money import parse_decimal
from jiuzhu.common.scope import CITY, require
from jiuzhu.common.tx import lock
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import User

from . import matching, reading, validation
from .models import ImportBatch, ImportDuplicate
from .sheets import MEMBERS, SHEETS

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
IMPORT_SOURCE = "caseload_import"


def _today() -> date:
    return clock.today()


def _dir(sha: str) -> Path:
    d = Path(settings.DATA_DIR) / "caseload" / f"{sha[:16]}-{uuid.uuid4().hex[:8]}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _save_rows(folder: Path, rows: dict[str, list[dict]]) -> None:
    for key, items in rows.items():
        frame = pl.DataFrame([{k: _plain(v) for k, v in r.items()} for r in items], infer_schema_length=None)
        frame.write_parquet(folder / f"{key}.parquet")


def _plain(v):
    return str(v) if isinstance(v, Decimal) else v


def load_rows(batch: ImportBatch) -> dict[str, list[dict]]:
    folder = Path(batch.stored_dir)
    out = {}
    for sheet in SHEETS:
        path = folder / f"{sheet.key}.parquet"
        out[sheet.key] = pl.read_parquet(path).to_dicts() if path.exists() else []
    return out


def _money(v) -> Decimal | None:
    return None if v is None else parse_decimal(v)


# --- upload, report ---------------------------------------------------------------------------


def batch_upload(*, actor: User, data: bytes, filename: str, today: date | None = None) -> ImportBatch:
    """Validate and match a caseload file; returns the batch with its report (errors, matches,
    possible duplicates). Nothing of the registry is written."""
    scope = require(actor, "caseload.import")
    if not data:
        raise ValidationFailed("文件为空", field="file", code="file_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB 上限", field="file", code="file_too_large"
        )
    today = today or _today()
    policy = current_policy()
    wb = reading.read(data, filename)
    checked = validation.validate(wb, policy=policy, today=today)
    rows = checked.rows
    if scope != CITY:
        own = actor.unit.code if actor.unit is not None else None
        for h in rows["households"]:
            if h["ok"] and h["town"] != own:
                checked.add(SHEETS[0], h["row"], "镇街", "只能导入本镇街的家庭", "out_of_scope")
                h["ok"] = False
    res = matching.resolve(rows)
    for c in res.conflicts:
        checked.add(
            MEMBERS,
            c["row"],
            "身份证号码",
            f"该人员已是登记库中家庭 {c['home']} 的成员，与本文件的家庭不一致；一人只能属于一个家庭",
            "person_in_other_household",
        )
    dups = matching.possible_duplicates(rows, res)
    summary = _summary(rows, res, dups)
    sha = hashlib.sha256(data).hexdigest()
    folder = _dir(sha)
    (folder / "original").write_bytes(data)
    _save_rows(folder, rows)
    by_id = {m["id_number"]: m for m in rows["members"] if m["ok"]}
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            original_name=filename[:200],
            sha256=sha,
            stored_dir=str(folder),
            uploaded_by=actor,
            as_of=today,
            rows=checked.counts,
            error_count=checked.error_count,
            errors=checked.errors,
            summary=summary,
        )
        ImportDuplicate.objects.bulk_create(
            [
                ImportDuplicate(
                    batch=batch,
                    row=by_id[n]["row"],
                    id_number=n,
                    name=by_id[n]["name"],
                    person_id=p,
                    probability=round(prob, 4),
                    levels=_levels(levels),
                )
                for n, p, prob, levels in dups.select(
                    "id_number", "person_id", "probability", "levels"
                ).iter_rows()
            ]
        )
    return batch


def _levels(text: str | None) -> dict:
    import json

    return json.loads(text) if text else {}


def _summary(rows, res: matching.Resolution, dups: pl.DataFrame) -> dict:
    hh_ok = [h for h in rows["households"] if h["ok"]]
    new_hh = [h for h in hh_ok if h["code"] not in res.households]
    members = [m for m in rows["members"] if m["ok"]]
    existing = [m for m in members if m["id_number"] in res.persons]
    pending = [m for m in members if m["id_number"] not in res.persons and m["household"] in res.households]
    return {
        "households": len(hh_ok),
        "households_new": len(new_hh),
        "households_existing": len(hh_ok) - len(new_hh),
        "persons": len(members),
        "persons_new": len(members) - len(existing) - len(pending),
        "persons_existing": len(existing),
        # new members of a household already in the registry: a verified household changes
        # only through a change request
        "persons_not_applied": [
            {"row": m["row"], "name": m["name"], "household": m["household"]} for m in pending
        ][:200],
        "persons_not_applied_count": len(pending),
        "duplicates": dups.height,
        "incomes": sum(1 for r in rows["incomes"] if r["ok"]),
        "assets": sum(1 for r in rows["assets"] if r["ok"]),
        "bank_accounts": sum(1 for r in rows["bank_accounts"] if r["ok"]),
        "entitlements": sum(1 for r in rows["entitlements"] if r["ok"]),
    }


def get_batch(*, actor: User, batch_id: int) -> ImportBatch:
    scope = require(actor, "caseload.read")
    batch = ImportBatch.objects.select_related("uploaded_by", "approved_by").filter(pk=batch_id).first()
    if batch is None or (scope != CITY and batch.uploaded_by.unit_id != actor.unit_id):
        raise NotFound("没有这个导入批次", field="batch", code="batch_not_found")
    return batch


# --- decisions, approval ----------------------------------------------------------------------


@transaction.atomic
def duplicate_decide(*, actor: User, duplicate: ImportDuplicate | int, decision: str) -> ImportDuplicate:
    require(actor, "caseload.import")
    pk = duplicate.pk if isinstance(duplicate, ImportDuplicate) else duplicate
    d = ImportDuplicate.objects.select_for_update().select_related("batch").filter(pk=pk).first()
    if d is None:
        raise NotFound("没有这条疑似重复记录", field="duplicate", code="duplicate_not_found")
    if decision not in (ImportDuplicate.Decision.SAME, ImportDuplicate.Decision.NEW):
        raise ValidationFailed("请选择“同一人”或“不同人”", field="decision", code="invalid_choice")
    if d.batch.state != ImportBatch.State.VALIDATED:
        raise IllegalTransition("该批次已审核，不能再修改", field="batch", code="wrong_state")
    d.decision, d.decided_by, d.decided_at = decision, actor, clock.now()
    d.save(update_fields=["decision", "decided_by", "decided_at"])
    return d


def _lock(batch: ImportBatch | int) -> ImportBatch:
    return lock(ImportBatch, batch, missing="没有这个导入批次", field="batch", code="batch_not_found")


@transaction.atomic
def batch_approve(
    *, actor: User, batch: ImportBatch | int, note: str = "", run_now: bool = False
) -> ImportBatch:
    """A second person approves the report; the apply job is queued (``run_now``: applied in
    this call, for the command line and the bench)."""
    require(actor, "caseload.approve")
    b = _lock(batch)
    if b.state != ImportBatch.State.VALIDATED:
        raise IllegalTransition(
            f"该批次当前为“{b.get_state_display()}”，不能审核", field="batch", code="wrong_state"
        )
    if b.uploaded_by_id == actor.pk:
        raise IllegalTransition(
            "上传人不能审核自己上传的数据，须由另一人审核", field="batch", code="same_person"
        )
    if b.error_count:
        raise IllegalTransition(
            f"校验报告中还有 {b.error_count} 个错误，请修改文件后重新上传", field="batch", code="has_errors"
        )
    open_dups = b.duplicates.filter(decision=ImportDuplicate.Decision.UNDECIDED).count()
    if open_dups:
        raise IllegalTransition(
            f"还有 {open_dups} 名疑似重复人员未确认", field="batch", code="duplicates_open"
        )
    b.state, b.approved_by, b.approved_at, b.note = (
        ImportBatch.State.APPROVED,
        actor,
        clock.now(),
        values.note(note, field="note", label="审核意见"),
    )
    b.message = "已批准，等待导入"
    b.save()
    if not run_now:
        from jiuzhu.common import jobs

        from . import applying  # noqa: F401  (registers the job kind)

        job = jobs.enqueue("caseload.apply", actor=actor, batch_id=b.pk)
        b.job_id = str(job.pk)
        b.save(update_fields=["job_id"])
    return b


@transaction.atomic
def batch_reject(*, actor: User, batch: ImportBatch | int, note: str) -> ImportBatch:
    require(actor, "caseload.approve")
    b = _lock(batch)
    if b.state != ImportBatch.State.VALIDATED:
        raise IllegalTransition(
            f"该批次当前为“{b.get_state_display()}”，不能退回", field="batch", code="wrong_state"
        )
    note = values.note(note, field="note", label="退回理由")
    if not note:
        raise ValidationFailed("退回须写明理由", field="note", code="reason_required")
    b.state, b.approved_by, b.approved_at, b.note = ImportBatch.State.REJECTED, actor, clock.now(), note
    b.save()
    return b
