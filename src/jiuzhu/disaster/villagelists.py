"""Registering affected households from a village list (受灾家庭名单): validate → report →
apply, as every bulk upload (DOMAIN §6).

``list_validate`` reads the file (``caseload.reading``: xlsx or CSV, cells kept as text), checks
each cell with ``common.values`` and the rows against each other and the registry, and keeps
the good rows and a per-row report (row, column, Chinese reason, stable code). Nothing is
written to the registry. ``list_apply`` then writes, in one transaction: the households new to
the registry (set-based, ``registry.bulk.write_chunks``), each household's damage as its
disaster fact in the registry (``registry.programme``: the one record the rules and the window's
pre-check read), one ``AffectedHousehold`` per row linking the household and its fact to the
event, and the transitional aid of those with displaced persons. Rows are matched to the registry by the
caseload import's exact matching (``caseload.matching.resolve``: the person's ID number, then
the household he lives in), again inside the apply transaction, so a household registered
meanwhile is matched, never doubled, and a second apply of the same list adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.db import IntegrityError, transaction

from jiuzhu.caseload import matching
from jiuzhu.caseload.reading import _csv, _xlsx
from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import Conflict, IllegalTransition, ValidationFailed
from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.idnumber import parse as parse_id
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry import bulk, demogen, programme
from jiuzhu.registry.models import Person, Unit, User
from jiuzhu.registry.programme import DisasterKind, ResponseLevel
from jiuzhu.registry.services import next_household_code

from .models import AffectedHousehold, DisasterEvent, TransitionalAid, VillageList

# (header, key, kind, required); the header is what the template's first row says
COLUMNS = (
    ("户主姓名", "name", "text", True),
    ("户主身份证号码", "id_number", "id", True),
    ("镇街", "town", "town", True),
    ("村（社区）", "village", "text", True),
    ("居住地址", "address", "text", True),
    ("城乡", "area", "area", False),
    ("联系电话", "phone", "phone", False),
    ("受灾人口", "persons", "count", True),
    ("需过渡安置人数", "displaced", "count", False),
    ("住房损毁", "house_damage", "damage", False),
    ("农作物受灾面积（亩）", "crop_loss_mu", "mu", False),
    ("死亡人数", "deaths", "count", False),
    ("受伤人数", "injuries", "count", False),
)
HEADERS = [c[0] for c in COLUMNS]
AREAS = {"农村": "rural", "城镇": "urban", "城市": "urban", "rural": "rural", "urban": "urban"}
DAMAGES = {name: code for code, name in AffectedHousehold.Damage.choices} | {
    "无": AffectedHousehold.Damage.NONE.value,  # plain text: the rows become data frames
    "未受损": AffectedHousehold.Damage.NONE.value,
}
MAX_MU = Decimal("10000")  # 亩 of crops of one household
MAX_PERSONS = 50  # persons of one household on a village list
TEXT_MAX = {"name": 50, "village": 100, "address": 200}
KEY = "#受灾名单第{}行"  # the file key of a row's household: never a registry household code


def _header(v) -> str:
    return str(v or "").strip().lstrip("\ufeff").replace("*", "").strip()


def _frame(data: bytes, filename: str) -> pl.DataFrame:
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" and name.endswith(".xlsx"):
        sheets = _xlsx(data)
        if not sheets:
            raise ValidationFailed("Excel 文件中没有工作表", field="file", code="file_empty")
        frame = next(iter(sheets.values()))  # the village list is the first sheet
    elif name.endswith(".csv"):
        frame = _csv(data)
    else:
        raise ValidationFailed("请上传 Excel（.xlsx）或 CSV 文件", field="file", code="file_type")
    return frame.rename({c: _header(c) for c in frame.columns})


class _Rows:
    def __init__(self, event: DisasterEvent, today: date):
        self.today = today
        towns = list(event.towns.all())
        self.towns = {u.code: u.code for u in towns} | {u.name: u.code for u in towns}
        self.town_names = "、".join(u.name for u in towns)
        self.ok: list[dict] = []
        self.errors: list[dict] = []

    def error(self, row: int, header: str, message: str, code: str) -> None:
        self.errors.append({"row": row, "column": header, "message": message, "code": code})

    def cell(self, header: str, key: str, kind: str, required: bool, raw):
        if raw is None or not str(raw).strip():
            if required:
                raise ValidationFailed(f"{header}不能为空", field=key, code="required")
            return {
                "count": 0,
                "mu": Decimal("0"),
                "area": "rural",
                "damage": AffectedHousehold.Damage.NONE.value,
            }.get(kind, "")
        text = str(raw).strip()
        if kind == "text":
            return values.text(text, field=key, label=header, max_length=TEXT_MAX[key])
        if kind == "id":
            return values.id_number(text, field=key)
        if kind == "phone":
            return values.phone(text, field=key)
        if kind == "town":
            if text not in self.towns:
                raise ValidationFailed(
                    f"镇街“{text[:20]}”不在本次灾害的受灾范围（{self.town_names}）",
                    field=key,
                    code="town_not_affected",
                )
            return self.towns[text]
        if kind == "area":
            if text not in AREAS:
                raise ValidationFailed(f"{header}应填“农村”或“城镇”", field=key, code="invalid_choice")
            return AREAS[text]
        if kind == "damage":
            if text not in DAMAGES:
                options = "、".join(AffectedHousehold.Damage.labels)
                raise ValidationFailed(f"{header}应为：{options}", field=key, code="invalid_choice")
            return DAMAGES[text]
        if kind == "count":
            if not text.isdigit() or int(text) > MAX_PERSONS:
                raise ValidationFailed(
                    f"{header}“{text[:20]}”应为 0 到 {MAX_PERSONS} 的整数", field=key, code="invalid_int"
                )
            return int(text)
        if kind == "mu":
            # common.values' number check, counted in 亩 (a household's fields, not a floor area)
            return values._decimal(text, field=key, label=header, maximum=MAX_MU, code="area", unit="亩")
        raise AssertionError(kind)

    def add(self, row: int, raw: dict) -> None:
        clean, bad = {"row": row}, False
        for header, key, kind, required in COLUMNS:
            try:
                clean[key] = self.cell(header, key, kind, required, raw.get(header))
            except ValidationFailed as exc:
                self.error(row, header, exc.message, exc.code)
                bad = True
        if bad:
            return
        if clean["persons"] < 1:
            self.error(row, "受灾人口", "受灾人口至少为 1 人", "persons_zero")
            return
        if clean["displaced"] > clean["persons"]:
            self.error(row, "需过渡安置人数", "需过渡安置人数不能多于受灾人口", "displaced_over_persons")
            return
        self.ok.append(clean)


def _check_registry(event: DisasterEvent, rows: _Rows, role: str) -> None:
    """Across rows and against the registry: one row per person, the name on the list is the
    registry's name for that ID number, a household registered once per event."""
    seen: dict[str, int] = {}
    kept = []
    for r in rows.ok:
        first = seen.setdefault(r["id_number"], r["row"])
        if first != r["row"]:
            rows.error(r["row"], "户主身份证号码", f"与第 {first} 行的身份证号码重复", "duplicate_in_file")
        else:
            kept.append(r)
    res = matching.resolve(_matching_rows(kept))
    names = dict(Person.objects.filter(id_number__in=list(res.persons)).values_list("id_number", "name"))
    homes = {hid for _, hid in res.persons.values()}
    done = set(
        AffectedHousehold.objects.filter(event=event, household_id__in=homes).values_list(
            "household_id", flat=True
        )
    )
    rows.ok = []
    for r in kept:
        found = res.persons.get(r["id_number"])
        if found and names[r["id_number"]] != r["name"]:
            rows.error(
                r["row"],
                "户主姓名",
                f"姓名与登记库中该身份证号码的姓名（{present('name', names[r['id_number']], role)}）不一致",
                "name_mismatch",
            )
        elif found and found[1] in done:
            rows.error(r["row"], "户主身份证号码", "该家庭已登记为本次灾害的受灾家庭", "already_registered")
        else:
            rows.ok.append(r)


def _matching_rows(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows in the shape ``caseload.matching`` reads: one household per row, its one member."""
    return {
        "households": [{"ok": True, "code": KEY.format(r["row"]), "row": r["row"]} for r in rows],
        "members": [
            {"ok": True, "id_number": r["id_number"], "household": KEY.format(r["row"]), "row": r["row"]}
            for r in rows
        ],
    }


@transaction.atomic
def list_validate(*, actor: User, event: DisasterEvent, data: bytes, filename: str) -> VillageList:
    """Read and check a village list; keep the good rows and the report. Writes only the
    ``VillageList`` row (nothing of the registry)."""
    scope.require(actor, "disaster.register", unit=event.unit)
    frame = _frame(data, filename)
    missing = [h for h, _, _, required in COLUMNS if required and h not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"名单缺少列：{'、'.join(missing)}（请使用受灾家庭名单模板）",
            field="file",
            code="missing_columns",
        )
    rows = _Rows(event, clock.today())
    for i, raw in enumerate(frame.iter_rows(named=True)):
        if all(v is None or not str(v).strip() for v in raw.values()):
            continue
        rows.add(i + 2, raw)  # row 1 is the header, as the person sees it in Excel
    _check_registry(event, rows, role_of(actor))
    rows.errors.sort(key=lambda e: (e["row"], HEADERS.index(e["column"]) if e["column"] in HEADERS else 99))
    keep = [{**r, "crop_loss_mu": str(r["crop_loss_mu"])} for r in rows.ok]
    return VillageList.objects.create(
        event=event,
        filename=filename[:200],
        row_count=len(rows.ok) + len({e["row"] for e in rows.errors}),
        rows=keep,
        errors=rows.errors,
        uploaded_by=actor,
    )


class _Apply:
    """Inside the transaction, after the new households are written."""

    def __init__(self, vlist: VillageList, actor: User, policy):
        self.vlist, self.actor, self.policy = vlist, actor, policy
        self.result: dict = {}
        self.new_ids: set[str] = set()  # ID numbers of the persons the list registers anew

    def __call__(self) -> None:
        vlist = VillageList.objects.select_for_update().get(pk=self.vlist.pk)
        if vlist.state != VillageList.State.VALIDATED:
            raise IllegalTransition("该名单已导入，不能重复导入", field="list", code="list_applied")
        event = vlist.event
        rows = vlist.rows
        res = matching.resolve(_matching_rows(rows))
        have = set(AffectedHousehold.objects.filter(event=event).values_list("household_id", flat=True))
        new_ids = set(self.new_ids)
        rate = self.policy.param("disaster.daily_allowance", event.occurred_on)
        max_days = self.policy.param("disaster.max_days", event.occurred_on)
        kept = []
        for r in rows:
            pid, hid = res.persons[r["id_number"]]
            if hid in have:  # registered meanwhile by another list
                continue
            have.add(hid)
            kept.append((r, pid, hid))
        facts = programme.area_facts_record_many(
            recorded_by=self.actor,
            kind="disaster",
            rows=[(hid, event.occurred_on, damage_fact(event, r, max_days)) for r, _, hid in kept],
        )
        affected = [
            AffectedHousehold(
                event=event,
                household_id=hid,
                person_id=pid,
                source=vlist,
                row=r["row"],
                village=r["village"],
                fact_id=facts[hid],
                crop_loss_mu=Decimal(r["crop_loss_mu"]),
                deaths=r["deaths"],
                injuries=r["injuries"],
                new_household=r["id_number"] in new_ids,
            )
            for r, pid, hid in kept
        ]
        AffectedHousehold.objects.bulk_create(affected, batch_size=2000)
        made = dict(
            AffectedHousehold.objects.filter(source=vlist).values_list("household_id", "pk")
        )  # pks (not every backend returns them from bulk_create)
        aids = [
            TransitionalAid(
                affected_id=made[hid],
                persons=r["displaced"],
                daily_rate=rate,
                max_days=max_days,
                start_on=event.occurred_on,
            )
            for r, _, hid in kept
            if r["displaced"] > 0
        ]
        TransitionalAid.objects.bulk_create(aids, batch_size=2000)
        self.result = {
            "households": len(affected),
            "new_households": sum(1 for a in affected if a.new_household),
            "persons": sum(r["persons"] for r, _, _ in kept),
            "displaced": sum(r["displaced"] for r, _, _ in kept),
            "aids": len(aids),
        }
        vlist.state = VillageList.State.APPLIED
        vlist.result = self.result
        vlist.applied_by = self.actor
        vlist.applied_at = clock.now()
        vlist.save(update_fields=["state", "result", "applied_by", "applied_at"])


# the event's codes in the registry's words for a disaster fact (registry.programme.FIELDS)
FACT_KINDS: dict[str, str] = {
    DisasterEvent.Kind.LANDSLIDE: DisasterKind.GEOLOGICAL.value,  # plain text in the fact's data
    DisasterEvent.Kind.SNOW: DisasterKind.SNOW_ICE.value,
}
FACT_LEVELS: dict[str, str] = {
    DisasterEvent.Level.I: ResponseLevel.LEVEL_1.value,
    DisasterEvent.Level.II: ResponseLevel.LEVEL_2.value,
    DisasterEvent.Level.III: ResponseLevel.LEVEL_3.value,
    DisasterEvent.Level.IV: ResponseLevel.LEVEL_4.value,
}


def damage_fact(event: DisasterEvent, r: dict, max_days: int) -> dict:
    """The household's disaster fact from its village-list row: persons affected and displaced,
    the house; the displaced are counted for the transitional aid's longest stay (the aid's
    maximum days) until they are resettled. Winter hardship is the October survey's, not the
    list's."""
    return {
        "event": event.name,
        "event_on": event.occurred_on,
        "disaster_kind": FACT_KINDS.get(event.kind, event.kind),
        "response_level": FACT_LEVELS.get(event.level, ""),
        "house_damage": r["house_damage"],
        "persons_affected": r["persons"],
        "persons_displaced": r["displaced"],
        "displaced_days": max_days if r["displaced"] else 0,
        "winter_hardship": False,
    }


def _new_households(rows: list[dict], res: matching.Resolution) -> demogen.Chunk:
    """Frames (``demogen``'s schema) of the households whose person the registry does not know."""
    new = [r for r in rows if r["id_number"] not in res.persons]
    towns = {u.code: u for u in Unit.objects.filter(code__in={r["town"] for r in new})}
    seq: dict[str, int] = {}
    codes = []
    for r in new:
        town = towns[r["town"]]
        if r["town"] not in seq:
            first = next_household_code(town)
            seq[r["town"]] = int(first[-6:])
        prefix = f"H{town.division_code or town.code}"
        codes.append(f"{prefix}{seq[r['town']]:06d}")
        seq[r["town"]] += 1
    infos = [parse_id(r["id_number"]) for r in new]
    households = pl.DataFrame(
        {
            "idx": list(range(len(new))),
            "code": codes,
            "town_code": [r["town"] for r in new],
            "community": [r["village"] for r in new],
            "division_code": [
                towns[r["town"]].division_code or i.division_code for r, i in zip(new, infos, strict=True)
            ],
            "area": [r["area"] for r in new],
            "address": [r["address"] for r in new],
            "phone": [r["phone"] for r in new],
            "dwelling_area_cents": [None] * len(new),
        },
        schema=demogen.HOUSEHOLD_SCHEMA,
    )
    persons = pl.DataFrame(
        {
            "idx": list(range(len(new))),
            "household_idx": list(range(len(new))),
            "relation": ["head"] * len(new),
            "id_number": [r["id_number"] for r in new],
            "name": [r["name"] for r in new],
            "gender": [i.gender for i in infos],
            "birth_date": [i.birth_date for i in infos],
            "phone": [r["phone"] for r in new],
            "labour_capacity": ["full"] * len(new),
            "disability_kind": [""] * len(new),
            "disability_grade": [None] * len(new),
            "serious_illness": [""] * len(new),
            "self_care": ["full"] * len(new),
            "school_stage": [""] * len(new),
            "employment_status": ["none"] * len(new),
            "has_capable_supporter": [True] * len(new),
        },
        schema=demogen.PERSON_SCHEMA,
    )
    empty_in = pl.DataFrame(schema=demogen.INCOME_SCHEMA)
    empty_as = pl.DataFrame(schema=demogen.ASSET_SCHEMA)
    return demogen.Chunk(households, persons, empty_in, empty_as)


def list_apply(*, actor: User, vlist: VillageList, policy=None) -> dict:
    """Write the list's good rows (one transaction; see the module docstring). Concurrency:
    the list row is locked inside the transaction and must still be ``validated``; a second
    apply, simultaneous or later, is refused and writes nothing."""
    vlist = VillageList.objects.select_related("event__unit").get(pk=vlist.pk)
    scope.require(actor, "disaster.register", unit=vlist.event.unit)
    if vlist.state != VillageList.State.VALIDATED:
        raise IllegalTransition("该名单已导入，不能重复导入", field="list", code="list_applied")
    if not vlist.rows:
        raise ValidationFailed(
            "名单中没有可导入的行，请更正后重新上传", field="list", code="nothing_to_apply"
        )
    apply = _Apply(vlist, actor, policy or current_policy())
    res = matching.resolve(_matching_rows(vlist.rows))
    chunk = _new_households(vlist.rows, res)
    apply.new_ids = set(chunk.persons["id_number"].to_list())
    try:
        if chunk.households.height:
            bulk.write_chunks([chunk], after=apply)
        else:
            with transaction.atomic():
                apply()
    except IntegrityError:
        raise Conflict(
            "导入期间登记库已有变化（有人员或家庭已被登记），请重新上传名单",
            field="list",
            code="registry_changed",
        ) from None
    return apply.result


def aid_days(aid: TransitionalAid) -> tuple[date, date]:
    """The first and last day the aid runs (the last: the maximum, or the resettlement)."""
    last = aid.start_on + timedelta(days=aid.max_days - 1)
    if aid.end_on is not None:
        last = min(last, aid.end_on)
    return aid.start_on, last


def workbook(rows: list[dict], *, headers: list[str] | None = None) -> bytes:
    """An xlsx village list (the template's headers, cells as text; formula-safe)."""
    headers = headers or HEADERS
    return write_xlsx([Sheet("受灾家庭名单", headers, ([r.get(h) for h in headers] for r in rows))])


def template() -> bytes:
    """The empty template offered for download (headers; required ones marked ``*``)."""
    return workbook([], headers=[h + ("*" if required else "") for h, _, _, required in COLUMNS])
