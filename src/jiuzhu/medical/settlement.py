"""One-stop settlement files (一站式结算, DOMAIN §7 医疗): validate → report → apply, as every
bulk upload (DOMAIN §6).

``file_validate`` reads the file (``caseload.reading``: xlsx or CSV, cells kept as text), checks
each cell with ``common.values``, the rows against each other, the registry (the person by ID
number and name), the registered hospitals of the unit, the stays already settled, and the
person's group (a dibao or tekun entitlement running in the month of discharge). It keeps the
good rows with their share as it would be paid now, and a per-row report (row, column, Chinese
reason, stable code). Nothing but the ``SettlementFile`` is written.

``file_apply`` then settles, in one transaction: the file row is locked and must still be
``validated``; the shares are computed again (``policy.rules.medical.assistance_share``, the
rule declared once: the group's rate on the out-of-pocket above the year's deductible, within
the yearly cap per person counted on the assistance of the stays already settled this year, the
file's own stays in order of discharge); one ``SettlementLine`` per stay; and one institution
transfer per hospital (``payments.institutions.transfer_create``, keyed by file and hospital)
paying the hospital that advanced the share — never the person. A stay (person, hospital,
admission date) already settled by another file is skipped, so a file imported again pays
nothing; the database's unique constraint is the last guard when two files race.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import IntegrityError
from django.db.models import F, Q, Sum
from django.utils import timezone

from jiuzhu.caseload.reading import _csv, _xlsx
from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import Conflict, IllegalTransition, ValidationFailed
from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.masking import present
from jiuzhu.common.tx import lock, racing_write
from jiuzhu.decisions.entitlements import owed_in
from jiuzhu.decisions.grant_limits import MEDICAL_CAPPED
from jiuzhu.decisions.models import Entitlement
from jiuzhu.payments import institutions
from jiuzhu.payments.models import Institution
from jiuzhu.policy.rules.base import Params
from jiuzhu.policy.rules.medical import assistance_share
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, User

from .models import SettlementFile, SettlementLine
from .services import GROUPS

# (header, key, kind); every column is required
COLUMNS = (
    ("姓名", "name", "text"),
    ("身份证号码", "id_number", "id"),
    ("医疗机构编码", "hospital", "hospital"),
    ("入院日期", "admitted_on", "date"),
    ("出院日期", "discharged_on", "date"),
    ("医疗总费用", "total_cost", "money"),
    ("基本医保支付", "basic_paid", "money"),
    ("大病保险支付", "critical_paid", "money"),
    ("政策范围内个人自付", "out_of_pocket", "money"),
)
HEADERS = [c[0] for c in COLUMNS]
MONEY = ("total_cost", "basic_paid", "critical_paid", "out_of_pocket")
PAYEE_KINDS = (Institution.HOSPITAL, Institution.MEDICAL_FUND)  # the party that advanced the share
CHUNK = 5000  # IN-lists kept under SQLite's bound
BUSY = "该结算文件正在由他人结算，请稍后刷新查看"


def _header(v) -> str:
    return str(v or "").strip().lstrip("\ufeff").replace("*", "").strip()


def _frame(data: bytes, filename: str):
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" and name.endswith(".xlsx"):
        sheets = _xlsx(data)
        if not sheets:
            raise ValidationFailed("Excel 文件中没有工作表", field="file", code="file_empty")
        frame = next(iter(sheets.values()))
    elif name.endswith(".csv"):
        frame = _csv(data)
    else:
        raise ValidationFailed("请上传 Excel（.xlsx）或 CSV 文件", field="file", code="file_type")
    return frame.rename({c: _header(c) for c in frame.columns})


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i : i + n]


class _Report:
    def __init__(self, hospitals: dict[str, int]):
        self.hospitals = hospitals
        self.ok: list[dict] = []
        self.errors: list[dict] = []

    def error(self, row: int, header: str, message: str, code: str) -> None:
        self.errors.append({"row": row, "column": header, "message": message, "code": code})

    def cell(self, header: str, key: str, kind: str, raw):
        if raw is None or not str(raw).strip():
            raise ValidationFailed(f"{header}不能为空", field=key, code="required")
        text = str(raw).strip()
        if kind == "text":
            return values.text(text, field=key, label=header, max_length=50)
        if kind == "id":
            return values.id_number(text, field=key)
        if kind == "date":
            return values.past_date(text, field=key, label=header).isoformat()
        if kind == "money":
            return str(values.money(text, field=key, label=header))
        if text not in self.hospitals:  # hospital
            raise ValidationFailed(
                f"医疗机构编码“{text[:20]}”未登记为本单位的定点医疗机构", field=key, code="hospital_unknown"
            )
        return text

    def add(self, row: int, raw: dict) -> None:
        clean, bad = {"row": row}, False
        for header, key, kind in COLUMNS:
            try:
                clean[key] = self.cell(header, key, kind, raw.get(header))
            except ValidationFailed as exc:
                self.error(row, header, exc.message, exc.code)
                bad = True
        if bad:
            return
        if clean["discharged_on"] < clean["admitted_on"]:
            self.error(row, "出院日期", "出院日期早于入院日期", "discharge_before_admission")
            return
        parts = sum(Decimal(clean[k]) for k in ("basic_paid", "critical_paid", "out_of_pocket"))
        if parts > Decimal(clean["total_cost"]):
            self.error(
                row,
                "政策范围内个人自付",
                "基本医保、大病保险支付与个人自付之和超过医疗总费用",
                "costs_exceed_total",
            )
            return
        self.ok.append(clean)


def _hospitals(unit_id: int) -> dict[str, int]:
    return dict(
        Institution.objects.filter(unit_id=unit_id, kind__in=PAYEE_KINDS, active=True).values_list(
            "code", "pk"
        )
    )


def _persons(id_numbers: list[str]) -> dict[str, tuple[int, int, str]]:
    """ID number → (person, household, name), the living persons of the registry."""
    out = {}
    for part in _chunks(id_numbers):
        for idn, pid, hid, name in Person.objects.filter(id_number__in=part).values_list(
            "id_number", "pk", "household_id", "name"
        ):
            out[idn] = (pid, hid, name)
    return out


def _groups(months: set[date]) -> dict[date, dict[int, str]]:
    """Month → household → group (tekun over dibao), from the entitlements running then."""
    out: dict[date, dict[int, str]] = {}
    for m in months:
        g: dict[int, str] = {}
        for hid, code in (
            owed_in(m).filter(service_code__in=GROUPS).values_list("household_id", "service_code")
        ):
            if g.get(hid) != SettlementLine.Group.EXTREME_POVERTY:
                g[hid] = GROUPS[code]
        out[m] = g
    return out


def _settled(rows: list[dict], persons: dict, hospitals: dict) -> set[tuple[int, int, str]]:
    """The stays of ``rows`` already settled: (person, hospital, admission date)."""
    pids = sorted({persons[r["id_number"]][0] for r in rows if r["id_number"] in persons})
    done = set()
    for part in _chunks(pids):
        for pid, hosp, adm in SettlementLine.objects.filter(person_id__in=part).values_list(
            "person_id", "hospital_id", "admitted_on"
        ):
            done.add((pid, hosp, adm.isoformat()))
    return done


def _year_totals(pids: list[int], years: set[int]) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(person, year) → (assistance paid, out-of-pocket counted): the stays already settled, and
    the medical-expense grants a unit made him that year (the yearly cap is one figure for both:
    ``decisions.grant_limits``)."""
    out = {}
    for part in _chunks(pids):
        for row in (
            SettlementLine.objects.filter(person_id__in=part, year__in=years)
            .values("person_id", "year")
            .annotate(paid=Sum("assistance"), oop=Sum("out_of_pocket"))
        ):
            out[(row["person_id"], row["year"])] = (row["paid"], row["oop"])
        for grant in (
            Entitlement.objects.filter(
                payee_id__in=part, service_code__in=MEDICAL_CAPPED, start_month__year__in=years
            )
            .exclude(Q(end_month__isnull=False) & Q(end_month__lt=F("start_month")))
            .values("payee_id", "start_month__year")
            .annotate(granted=Sum("amount"))
            .order_by()
        ):
            key = (grant["payee_id"], grant["start_month__year"])
            paid, oop = out.get(key, (Decimal(0), Decimal(0)))
            out[key] = (paid + grant["granted"], oop)
    return out


def _judge(rows: list[dict], report: _Report, role: str, policy) -> list[dict]:
    """Match ``rows`` to the registry, drop (and report) the rows that cannot be settled, and
    compute each remaining stay's share in order of discharge. Returns the judged rows."""
    seen: dict[tuple, int] = {}
    persons = _persons(sorted({r["id_number"] for r in rows}))
    hospitals = report.hospitals
    done = _settled(rows, persons, hospitals)
    groups = _groups({date.fromisoformat(r["discharged_on"]).replace(day=1) for r in rows})
    kept = []
    for r in rows:
        found = persons.get(r["id_number"])
        if found is None:
            report.error(r["row"], "身份证号码", "登记库中没有该身份证号码的人员", "person_not_found")
            continue
        pid, hid, name = found
        if name != r["name"]:
            report.error(
                r["row"],
                "姓名",
                f"姓名与登记库中该身份证号码的姓名（{present('name', name, role)}）不一致",
                "name_mismatch",
            )
            continue
        stay = (pid, hospitals[r["hospital"]], r["admitted_on"])
        first = seen.setdefault(stay, r["row"])
        if first != r["row"]:
            report.error(r["row"], "入院日期", f"与第 {first} 行是同一次住院", "duplicate_in_file")
            continue
        if stay in done:
            report.error(r["row"], "入院日期", "该次住院已结算，不再重复支付", "already_settled")
            continue
        group = groups[date.fromisoformat(r["discharged_on"]).replace(day=1)].get(hid)
        if group is None:
            report.error(
                r["row"], "身份证号码", "出院当月不是特困人员或低保对象，不属于医疗救助对象", "not_target"
            )
            continue
        kept.append({**r, "person": pid, "household": hid, "group": group})
    totals = _year_totals(sorted({r["person"] for r in kept}), {int(r["discharged_on"][:4]) for r in kept})
    running: dict[tuple[int, int], list[Decimal]] = {}
    for r in sorted(kept, key=lambda r: (r["person"], r["discharged_on"], r["row"])):
        year = int(r["discharged_on"][:4])
        paid, counted = running.setdefault(
            (r["person"], year), list(totals.get((r["person"], year), (Decimal(0), Decimal(0))))
        )
        p = Params.at(policy, date.fromisoformat(r["discharged_on"]))  # the rule in force then
        oop = Decimal(r["out_of_pocket"])
        left = max(Decimal(0), p.medical_deductible[r["group"]] - counted)
        share = assistance_share(
            out_of_pocket=oop,
            group=r["group"],
            p=p,
            paid_this_year=paid,
            deductible_left=left,
        )
        running[(r["person"], year)] = [paid + share.assistance, counted + oop]
        r.update(
            year=year,
            rate=str(p.medical_rate[r["group"]]),
            deductible=str(min(left, oop)),
            assistance=str(share.assistance),
            own_share=str(share.own),
            due=str(share.due),
            reason=share.reason.text[:300],
        )
    kept.sort(key=lambda r: r["row"])
    return kept


def file_validate(*, actor: User, unit, data: bytes, filename: str, policy=None) -> SettlementFile:
    """Read and check a settlement file of ``unit`` (the medical-insurance bureau); keep the good
    rows with their share as it stands now, and the report. Writes only the ``SettlementFile``."""
    unit_id = getattr(unit, "pk", unit)
    scope.require(actor, "medical.settle", unit=unit_id)
    frame = _frame(data, filename)
    missing = [h for h in HEADERS if h not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"结算文件缺少列：{'、'.join(missing)}（请使用一站式结算模板）",
            field="file",
            code="missing_columns",
        )
    report = _Report(_hospitals(unit_id))
    for i, raw in enumerate(frame.iter_rows(named=True)):
        if all(v is None or not str(v).strip() for v in raw.values()):
            continue
        report.add(i + 2, raw)  # row 1 is the header, as the person sees it in Excel
    good = _judge(report.ok, report, scope.role_of(actor), policy or current_policy())
    report.errors.sort(key=lambda e: (e["row"], HEADERS.index(e["column"])))
    return SettlementFile.objects.create(
        unit_id=unit_id,
        filename=filename[:200],
        row_count=len(good) + len({e["row"] for e in report.errors}),
        rows=good,
        errors=report.errors,
        uploaded_by=actor,
    )


@racing_write(busy=BUSY)
def _apply(*, actor: User, sfile, policy) -> dict:
    f = lock(SettlementFile, sfile, missing="结算文件不存在", code="file_not_found", field="file")
    scope.require(actor, "medical.settle", unit=f.unit_id)
    if f.state != SettlementFile.State.VALIDATED:
        raise IllegalTransition("该结算文件已结算，不能重复结算", field="file", code="file_applied")
    if not f.rows:
        raise ValidationFailed(
            "文件中没有可结算的行，请更正后重新上传", field="file", code="nothing_to_apply"
        )
    report = _Report(_hospitals(f.unit_id))
    judged = _judge(f.rows, report, scope.role_of(actor), policy)  # again: stays settled meanwhile
    by_hospital: dict[str, list[dict]] = defaultdict(list)
    for r in judged:
        by_hospital[r["hospital"]].append(r)
    today = clock.today()
    transfers, paid_total = {}, Decimal("0.00")
    for code, rows in sorted(by_hospital.items()):
        lines = [
            {"person": r["person"], "amount": r["assistance"], "reference": f"住院{r['admitted_on']}"}
            for r in rows
            if Decimal(r["assistance"]) > 0
        ]
        if not lines:
            continue
        amount = sum((Decimal(ln["amount"]) for ln in lines), Decimal("0.00"))
        transfers[code] = institutions.transfer_create(
            actor=actor,
            institution=report.hospitals[code],
            amount=amount,
            purpose="medical_expense",
            period=today,
            lines=lines,
            note=f"一站式结算 {f.filename}"[:200],
            key=f"medical_settlement:{f.pk}:{report.hospitals[code]}",
        )
        paid_total += amount
    SettlementLine.objects.bulk_create(
        [
            SettlementLine(
                source=f,
                row=r["row"],
                person_id=r["person"],
                household_id=r["household"],
                hospital_id=report.hospitals[r["hospital"]],
                admitted_on=r["admitted_on"],
                discharged_on=r["discharged_on"],
                year=r["year"],
                total_cost=r["total_cost"],
                basic_paid=r["basic_paid"],
                critical_paid=r["critical_paid"],
                out_of_pocket=r["out_of_pocket"],
                group=r["group"],
                rate=r["rate"],
                deductible=r["deductible"],
                due=r["due"],
                assistance=r["assistance"],
                own_share=r["own_share"],
                reason=r["reason"],
                transfer=transfers.get(r["hospital"]) if Decimal(r["assistance"]) > 0 else None,
            )
            for r in judged
        ],
        batch_size=2000,
    )
    f.state, f.applied_by, f.applied_at = SettlementFile.State.APPLIED, actor, timezone.now()
    f.result = {
        "stays": len(judged),
        "skipped": len(f.rows) - len(judged),
        "hospitals": len(transfers),
        "assistance": str(paid_total),
        "capped": sum(1 for r in judged if Decimal(r["assistance"]) < Decimal(r["due"])),
        "cut": str(sum((Decimal(r["due"]) - Decimal(r["assistance"]) for r in judged), Decimal("0.00"))),
        "transfers": [t.pk for t in transfers.values()],
    }
    f.save(update_fields=["state", "applied_by", "applied_at", "result"])
    return f.result


def file_apply(*, actor: User, sfile, policy=None) -> dict:
    """Settle the file's good rows (one transaction; see the module docstring). Concurrency: the
    file row is locked and must still be ``validated``; a second apply, simultaneous or later, is
    refused (``file_applied``, or ``busy`` on SQLite) and writes nothing. Returns the counts."""
    try:
        return _apply(actor=actor, sfile=sfile, policy=policy or current_policy())
    except IntegrityError:
        raise Conflict(
            "结算期间另一文件已结算了其中的住院记录，请重新上传", field="file", code="stays_changed"
        ) from None


def workbook(rows: list[dict]) -> bytes:
    """An xlsx settlement file (the template's headers, cells as text; formula-safe); with no
    rows, the empty template offered for download."""
    return write_xlsx([Sheet("一站式结算", HEADERS, ([r.get(h) for h in HEADERS] for r in rows))])
