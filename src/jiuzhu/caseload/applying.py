"""Applying an approved caseload batch (the background job ``caseload.apply``); see
``imports`` for the whole path. One transaction: ``registry.bulk.write_chunks`` writes the new
households, members, incomes and assets set-based and then, inside the same transaction,
``_Rest`` adds the entitlements (with their history), the bank accounts, the rules' judgement
of every imported running entitlement and the batch's result. Progress is reported by stage;
what happens inside the transaction shows when it commits (SQLite admits one writer)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import polars as pl

from jiuzhu.common import clock, jobs
from jiuzhu.common.errors import IllegalTransition, JiuzhuError
from jiuzhu.common.money import parse_decimal
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry import bulk, demogen
from jiuzhu.registry.models import Person, Unit, User

from . import matching
from .imports import IMPORT_SOURCE, _money, load_rows
from .models import ImportBatch, ImportDuplicate, ImportedEntitlement

Progress = Callable[[int, int, str], None]
STAGES = 5


def _cents(v) -> int | None:
    return None if v is None else int((parse_decimal(v) * 100).to_integral_value())


def apply_batch(
    *,
    batch: ImportBatch | int,
    actor: User | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> dict:
    """Apply an approved batch; returns the counts written. On any error nothing is written
    and the batch is marked failed with the reason."""
    say = progress or (lambda done, total, message: None)
    b = ImportBatch.objects.select_related("approved_by").get(pk=getattr(batch, "pk", batch))
    if b.state != ImportBatch.State.APPROVED:
        raise IllegalTransition(
            f"该批次当前为“{b.get_state_display()}”，不能导入", field="batch", code="wrong_state"
        )
    actor = actor or b.approved_by
    assert actor is not None  # an approved batch names its approver
    today = today or clock.today()
    try:
        say(0, STAGES, "读取已校验的数据")
        rows = load_rows(b)
        say(1, STAGES, "与登记库比对")
        res = matching.resolve(rows)
        if res.conflicts:
            raise IllegalTransition(
                "审核后登记库已有变化（有人员已属其他家庭），请重新上传",
                field="batch",
                code="registry_changed",
            )
        same = set(
            b.duplicates.filter(decision=ImportDuplicate.Decision.SAME).values_list("id_number", flat=True)
        )
        plan = _Plan(rows, res, same)
        say(2, STAGES, f"写入新家庭 {plan.households.height} 户、人员 {plan.persons.height} 人（一个事务）")
        rest = _Rest(b, rows, plan, actor=actor, today=today)
        bulk.write_chunks([plan.chunk()], after=rest)
    except JiuzhuError as exc:
        _fail(b, exc.message)
        raise
    except Exception:
        _fail(b, "导入失败，未写入任何数据；请联系管理员查看日志")
        raise
    say(STAGES, STAGES, "已完成")
    return rest.result


def _fail(b: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=b.pk).update(state=ImportBatch.State.FAILED, message=message[:300])


class _Plan:
    """The rows to create, as frames in ``demogen``'s schema (what ``bulk`` writes)."""

    def __init__(self, rows, res: matching.Resolution, same: set[str]):
        members = [m for m in rows["members"] if m["ok"]]
        skipped = {m["household"] for m in members if m["id_number"] in same}
        self.skipped = sorted(skipped)
        new = [
            h
            for h in rows["households"]
            if h["ok"] and h["code"] not in res.households and h["code"] not in skipped
        ]
        self.codes = {h["code"]: i for i, h in enumerate(new)}
        self.households = pl.DataFrame(
            {
                "idx": list(range(len(new))),
                "code": [h["code"] for h in new],
                "town_code": [h["town"] for h in new],
                "community": [h["community"] for h in new],
                "division_code": [h["division_code"] for h in new],
                "area": [h["area"] for h in new],
                "address": [h["address"] for h in new],
                "phone": [h["phone"] or "" for h in new],
                "dwelling_area_cents": [_cents(h["dwelling_area"]) for h in new],
            },
            schema=demogen.HOUSEHOLD_SCHEMA,
        )
        people = [m for m in members if m["household"] in self.codes]
        self.person_idx = {m["id_number"]: i for i, m in enumerate(people)}
        self.persons = pl.DataFrame(
            {
                "idx": list(range(len(people))),
                "household_idx": [self.codes[m["household"]] for m in people],
                "relation": [m["relation"] for m in people],
                "id_number": [m["id_number"] for m in people],
                "name": [m["name"] for m in people],
                "gender": [m["gender"] for m in people],
                "birth_date": [m["birth_date"] for m in people],
                "phone": [m["phone"] or "" for m in people],
                "labour_capacity": [m["labour_capacity"] for m in people],
                "disability_kind": [m["disability_kind"] or "" for m in people],
                "disability_grade": [m["disability_grade"] for m in people],
                "serious_illness": [m["serious_illness"] or "" for m in people],
                "self_care": [m["self_care"] for m in people],
                "school_stage": [m["school_stage"] or "" for m in people],
                "employment_status": [m["employment_status"] for m in people],
                "has_capable_supporter": [bool(m["has_capable_supporter"]) for m in people],
            },
            schema=demogen.PERSON_SCHEMA,
        )
        incomes = [r for r in rows["incomes"] if r["ok"] and r["id_number"] in self.person_idx]
        self.incomes = pl.DataFrame(
            {
                "person_idx": [self.person_idx[r["id_number"]] for r in incomes],
                "kind": [r["kind"] for r in incomes],
                "monthly_amount_cents": [_cents(r["monthly_amount"]) for r in incomes],
                "source": [IMPORT_SOURCE] * len(incomes),
                "period_start": [r["period_start"] for r in incomes],
                "period_end": [r["period_end"] for r in incomes],
                "note": [r["note"] or "" for r in incomes],
            },
            schema=demogen.INCOME_SCHEMA,
        )
        assets = [r for r in rows["assets"] if r["ok"] and r["household"] in self.codes]
        self.assets = pl.DataFrame(
            {
                "household_idx": [self.codes[r["household"]] for r in assets],
                "person_idx": [self.person_idx.get(r["id_number"]) for r in assets],
                "kind": [r["kind"] for r in assets],
                "value_cents": [_cents(r["value"]) for r in assets],
                "floor_area_cents": [_cents(r["floor_area"]) for r in assets],
                "vehicle_purpose": [r["vehicle_purpose"] or "" for r in assets],
                "source": [IMPORT_SOURCE] * len(assets),
                "as_of": [r["as_of"] for r in assets],
                "description": [r["description"] or "" for r in assets],
            },
            schema=demogen.ASSET_SCHEMA,
        )

    def chunk(self) -> demogen.Chunk:
        return demogen.Chunk(self.households, self.persons, self.incomes, self.assets)


class _Rest:
    """What follows the registry rows inside the same transaction."""

    def __init__(self, batch: ImportBatch, rows, plan: _Plan, *, actor: User, today: date):
        self.batch, self.rows, self.plan, self.actor, self.today = batch, rows, plan, actor, today
        self.result: dict = {}

    def __call__(self) -> None:
        from jiuzhu.decisions.models import Entitlement

        rows, plan = self.rows, self.plan
        hh_codes = {h["code"] for h in rows["households"] if h["ok"] and h["code"] not in plan.skipped}
        res = matching.resolve(rows)  # now the new households and persons are in
        hh_ids = {c: res.households[c] for c in hh_codes if c in res.households}
        persons = {n: pid for n, (pid, _) in res.persons.items()}
        created = self._entitlements(Entitlement, hh_ids, persons)
        accounts = self._bank_accounts(persons)
        flagged = self._judge(created)
        self.result = {
            "households": plan.households.height,
            "persons": plan.persons.height,
            "incomes": plan.incomes.height,
            "assets": plan.assets.height,
            "entitlements": len(created),
            "bank_accounts": accounts,
            "flagged": flagged,
            "skipped_households": plan.skipped,
        }
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            state=ImportBatch.State.APPLIED,
            applied_at=clock.now(),
            result=self.result,
            message=f"已导入：新增家庭 {plan.households.height} 户、人员 {plan.persons.height} 人、待遇 {len(created)} 条；"
            f"金额与规则不一致 {flagged} 条已转复核",
        )

    def _entitlements(self, Entitlement, hh_ids: dict[str, int], persons: dict[str, int]) -> list:
        from simple_history.utils import bulk_create_with_history

        policy = current_policy()
        units = dict(Unit.objects.values_list("code", "id"))
        wanted = [
            r
            for r in self.rows["entitlements"]
            if r["ok"] and r["household"] in hh_ids and r["payee"] in persons
        ]
        have = {
            (h, s, p, start): pk
            for pk, h, s, p, start in Entitlement.objects.filter(
                household_id__in=set(hh_ids.values())
            ).values_list("pk", "household_id", "service_code", "payee_id", "start_month")
        }
        chains: dict[tuple, list[dict]] = defaultdict(list)
        for r in wanted:
            chains[(hh_ids[r["household"]], r["service"], persons[r["payee"]])].append(r)
        generations: list[list[tuple]] = []
        for key, items in chains.items():
            items.sort(key=lambda r: r["start_month"])
            for depth, r in enumerate(items):
                while len(generations) <= depth:
                    generations.append([])
                generations[depth].append((key, r, items[depth - 1] if depth else None))
        made: dict[tuple, int] = {}  # (household, service, payee, start) -> pk
        created = []
        for gen in generations:
            objs = []
            for (hid, service, payee), r, prev in gen:
                k = (hid, service, payee, r["start_month"])
                if k in have:
                    made[k] = have[k]
                    continue
                spec = policy.service(service)
                last = r["end_month"] is None
                ended = r["end_month"] is not None
                prev_pk = made.get((hid, service, payee, prev["start_month"])) if prev else None
                reason = f"存量导入 #{self.batch.pk}：原系统决定（决定日期 {r['decided_on']:%Y-%m-%d}）"
                objs.append(
                    Entitlement(
                        household_id=hid,
                        payee_id=payee,
                        service_code=service,
                        category=spec.category,
                        unit_id=units[spec.owner_unit],
                        amount=_money(r["amount"]),
                        amount_period=spec.amount_period or "month",
                        start_month=r["start_month"],
                        end_month=r["end_month"],
                        status=Entitlement.ENDED if ended else Entitlement.ACTIVE,
                        next_review_on=r["next_review_on"] if last else None,
                        previous_id=prev_pk,
                        origin=(r["origin"] or f"存量导入 #{self.batch.pk}")[:100],
                        reason=reason,
                        ended_reason="原系统记录：已变更或终止" if ended else "",
                        created_by=self.actor,
                    )
                )
                objs[-1]._import_row = r
            if not objs:
                continue
            bulk_create_with_history(
                objs,
                Entitlement,
                batch_size=2000,
                default_user=self.actor,
                default_change_reason=f"存量导入 #{self.batch.pk}",
            )
            # bulk_create_with_history does not hand back the ids on every backend: read them
            keys = {(o.household_id, o.service_code, o.payee_id, o.start_month): o for o in objs}
            for pk, h, s, p, start in Entitlement.objects.filter(
                household_id__in={o.household_id for o in objs}, created_by=self.actor
            ).values_list("pk", "household_id", "service_code", "payee_id", "start_month"):
                o = keys.get((h, s, p, start))
                if o is not None and o.pk is None:
                    o.pk = o.id = pk
            for o in objs:
                made[(o.household_id, o.service_code, o.payee_id, o.start_month)] = o.pk
                created.append(o)
        if created:
            living = defaultdict(list)
            for pid, hid in Person.objects.filter(
                household_id__in={o.household_id for o in created}, deceased_on__isnull=True
            ).values_list("pk", "household_id"):
                living[hid].append(pid)
            through = Entitlement.members.through
            through.objects.bulk_create(
                [through(entitlement_id=o.pk, person_id=p) for o in created for p in living[o.household_id]],
                batch_size=5000,
            )
            ImportedEntitlement.objects.bulk_create(
                [ImportedEntitlement(batch=self.batch, entitlement_id=o.pk) for o in created], batch_size=5000
            )
        return created

    def _bank_accounts(self, persons: dict[str, int]) -> int:
        from jiuzhu.payments import crypto
        from jiuzhu.payments.models import BankAccount

        wanted = [r for r in self.rows["bank_accounts"] if r["ok"] and r["id_number"] in persons]
        ids = [persons[r["id_number"]] for r in wanted]
        have = set(BankAccount.objects.filter(person_id__in=ids).values_list("person_id", flat=True))
        names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
        objs = [
            BankAccount(
                person_id=persons[r["id_number"]],
                bank_name=r["bank_name"],
                holder_name=r["holder_name"] or names[persons[r["id_number"]]],
                number_encrypted=crypto.encrypt(r["number"]),
                tail=r["number"][-4:],
                updated_by=self.actor,
            )
            for r in wanted
            if persons[r["id_number"]] not in have
        ]
        BankAccount.objects.bulk_create(objs, batch_size=2000)
        return len(objs)

    def _judge(self, created: list) -> int:
        """The rules on every imported running monthly entitlement, set-based; a differing
        amount (or an ineligible household) is flagged and its review opened."""
        from jiuzhu.decisions.frames import registry_frames
        from jiuzhu.decisions.models import Entitlement, Review
        from jiuzhu.policy.batch import evaluate_batch

        from .reviewing import open_review

        running = [o for o in created if o.status == Entitlement.ACTIVE and o.amount_period == "month"]
        if not running:
            return 0
        policy = current_policy()
        codes = sorted({o.service_code for o in running})
        frames, _ = registry_frames(self.today, {o.household_id for o in running})
        if len(frames) == 0:
            return 0
        wide = evaluate_batch(frames, self.today, policy, codes)
        judged = {}
        for row in wide.iter_rows(named=True):
            for c in codes:
                judged[(row["hh_id"], c)] = (row[f"{c}_eligible"], row[f"{c}_amount"])
        flagged = 0
        updates = []
        for o in running:
            eligible, cents = judged.get((o.household_id, o.service_code), (False, None))
            amount = None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))
            differs = (not eligible) or (amount is not None and amount != o.amount)
            updates.append((o.pk, bool(eligible), amount, differs))
        by_ent = {u[0]: u for u in updates}
        rows = list(ImportedEntitlement.objects.filter(entitlement_id__in=by_ent))
        for ie in rows:
            _, ie.rule_eligible, ie.rule_amount, ie.flagged = by_ent[ie.entitlement_id]
        ImportedEntitlement.objects.bulk_update(
            rows, ["rule_eligible", "rule_amount", "flagged"], batch_size=5000
        )
        flagged_rows = [ie for ie in rows if ie.flagged]
        for ie in ImportedEntitlement.objects.filter(pk__in=[r.pk for r in flagged_rows]).select_related(
            "entitlement__household__town"
        ):
            review, _ = open_review(
                entitlement=ie.entitlement, reason=Review.IMPORT, on=self.today, policy=policy
            )
            if review is not None:
                ie.review = review
                ie.save(update_fields=["review"])
            flagged += 1
        return flagged


# --- the background job -----------------------------------------------------------------------


@jobs.job("caseload.apply", title="存量数据导入")
def apply_job(job, *, batch_id: int) -> dict:
    def say(done, total, message):
        jobs.report(job, done=done, total=total, message=message)

    result = apply_batch(batch=batch_id, progress=say)
    return {
        "summary": f"新增家庭 {result['households']} 户、人员 {result['persons']} 人、待遇 {result['entitlements']} 条；"
        f"金额与规则不一致 {result['flagged']} 条已转复核",
        "url": f"/caseload/imports/{batch_id}/",
        **{k: v for k, v in result.items() if k != "skipped_households"},
    }


@jobs.job("caseload.validate", title="存量数据校验与比对")
def validate_job(job, *, kept: str, filename: str) -> dict:
    from jiuzhu.common import uploads

    from .imports import batch_upload

    jobs.report(job, done=0, total=1, message="读取并校验文件、与登记库比对")
    try:
        b = batch_upload(actor=job.actor, data=uploads.path_of(kept).read_bytes(), filename=filename)
    finally:
        uploads.discard(kept)
    return {
        "summary": f"校验完成：错误 {b.error_count} 个，疑似重复 {b.summary.get('duplicates', 0)} 人",
        "url": f"/caseload/imports/{b.pk}/",
        "batch": b.pk,
        "api": f"/api/caseload/imports/{b.pk}",
    }
