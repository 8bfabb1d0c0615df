"""Registry writes. Each is one transaction: it validates everything first, writes, and
either all of it lands or none does. Keyword-only arguments; ``actor`` is the staff user
(recorded in the history), checked against the scope table (``household.write``: the
household's own town; ``household.register``: see jiuzhu.common.scope). ``actor=None`` is the
platform itself (demo, imports run by an administrator's command) and is not checked."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.db import IntegrityError, transaction

from jiuzhu.common import idnumber, scope, values
from jiuzhu.common.errors import Conflict, ValidationFailed

from .models import Asset, Household, IncomeItem, Person, Source, Unit, User
from .selectors import get_household  # noqa: F401  (moved to selectors; kept importable from here)

RELATIONS = {k for k, _ in Person.Relation.choices}
DIVISION_LEN = (6, 9, 12)


def _choice(value, choices, field, label):
    keys = {k for k, _ in choices}
    if value not in keys:
        names = "、".join(str(name) for k, name in choices if k)
        raise ValidationFailed(f"{label}不是有效取值（可选：{names}）", field=field, code="invalid_choice")
    return value


def clean_member(data: dict, *, prefix: str = "", today: date | None = None) -> dict:
    """Validate one member's facts; return the normalised fields (ID upgraded to 18 digits,
    gender and birth date derived and cross-checked)."""
    f = (lambda name: f"{prefix}{name}") if prefix else (lambda name: name)
    if not (data.get("name") or "").strip():
        raise ValidationFailed("请填写姓名", field=f("name"), code="required")
    name = values.text(data.get("name"), field=f("name"), max_length=50, label="姓名")
    if not (data.get("id_number") or "").strip():
        raise ValidationFailed("请填写身份证号码", field=f("id_number"), code="required")
    info = idnumber.parse(data["id_number"], field=f("id_number"), today=today)
    birth = data.get("birth_date")
    if birth:
        if isinstance(birth, str):
            try:
                birth = date.fromisoformat(birth)
            except ValueError:
                raise ValidationFailed(
                    f"出生日期“{birth}”不是有效日期", field=f("birth_date"), code="birth_date_invalid"
                ) from None
        if birth != info.birth_date:
            raise ValidationFailed(
                f"出生日期 {birth.isoformat()} 与身份证号码中的 {info.birth_date.isoformat()} 不一致",
                field=f("birth_date"),
                code="birth_date_mismatch",
            )
    gender = data.get("gender")
    if gender and gender != info.gender:
        raise ValidationFailed(
            "性别与身份证号码第17位不一致（奇数为男，偶数为女）", field=f("gender"), code="gender_mismatch"
        )
    grade = data.get("disability_grade")
    kind = data.get("disability_kind") or ""
    _choice(kind, Person.DisabilityKind.choices, f("disability_kind"), "残疾类别")
    if kind and grade in (None, ""):
        raise ValidationFailed(
            "有残疾类别时须填写残疾等级（1–4级）", field=f("disability_grade"), code="required"
        )
    if grade not in (None, ""):
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            raise ValidationFailed(f"残疾等级“{grade}”不是1–4的整数", field=f("disability_grade")) from None
        if not kind:
            raise ValidationFailed(
                "填写残疾等级时须选择残疾类别", field=f("disability_kind"), code="required"
            )
        if not 1 <= grade <= 4:
            raise ValidationFailed("残疾等级应为1–4级", field=f("disability_grade"))
    else:
        grade = None
    cleaned = {
        "name": name,
        "id_number": info.number,
        "id_upgraded": info.upgraded_from_15,
        "gender": info.gender,
        "birth_date": info.birth_date,
        "relation": _choice(
            data.get("relation") or "other", Person.Relation.choices, f("relation"), "与户主关系"
        ),
        "phone": values.phone(data.get("phone"), field=f("phone")),
        "labour_capacity": _choice(
            data.get("labour_capacity") or "full",
            Person.LabourCapacity.choices,
            f("labour_capacity"),
            "劳动能力",
        ),
        "disability_kind": kind,
        "disability_grade": grade,
        "serious_illness": values.text(
            data.get("serious_illness"),
            field=f("serious_illness"),
            max_length=100,
            required=False,
            label="重特大疾病（病种）",
        ),
        "self_care": _choice(
            data.get("self_care") or "full", Person.SelfCare.choices, f("self_care"), "生活自理能力"
        ),
        "school_stage": _choice(
            data.get("school_stage") or "", Person.SchoolStage.choices, f("school_stage"), "在学阶段"
        ),
        "employment_status": _choice(
            data.get("employment_status") or "none",
            Person.EmploymentStatus.choices,
            f("employment_status"),
            "就业状况",
        ),
        "has_capable_supporter": bool(data.get("has_capable_supporter", True)),
    }
    return cleaned


def _check_new_ids(cleaned: list[dict], *, household: Household | None, prefix: str = "members") -> None:
    seen: dict[str, int] = {}
    for i, c in enumerate(cleaned):
        if c["id_number"] in seen:
            raise ValidationFailed(
                f"第{seen[c['id_number']] + 1}位与第{i + 1}位成员身份证号码相同",
                field=f"{prefix}[{i}].id_number",
                code="duplicate_id_number",
            )
        seen[c["id_number"]] = i
    existing = {
        p.id_number: p for p in Person.objects.filter(id_number__in=list(seen)).select_related("household")
    }
    for number, p in existing.items():
        i = seen[number]
        if household is not None and p.household_id == household.pk:
            raise ValidationFailed(
                f"该身份证号码已是本家庭成员（{p.name}）",
                field=f"{prefix}[{i}].id_number",
                code="duplicate_id_number",
            )
        raise ValidationFailed(
            f"该人员已是家庭 {p.household.code} 的成员，一人只能属于一个家庭；请先从原家庭迁出",
            field=f"{prefix}[{i}].id_number",
            code="person_in_other_household",
            household=p.household.code,
        )


def _clean_household(data: dict, *, partial: bool = False) -> dict:
    out: dict[str, object] = {}
    if not partial or "town" in data:
        town = data.get("town")
        if not isinstance(town, Unit):
            town = Unit.objects.filter(code=town, kind=Unit.Kind.TOWN).first()
        if town is None:
            raise ValidationFailed(f"镇街“{data.get('town')}”不存在", field="town", code="unknown_town")
        out["town"] = town
    if not partial or "division_code" in data:
        code = (data.get("division_code") or "").strip()
        if not code.isdigit() or len(code) not in DIVISION_LEN:
            raise ValidationFailed("行政区划代码应为6、9或12位数字", field="division_code")
        out["division_code"] = code
    if not partial or "area" in data:
        out["area"] = _choice(data.get("area"), Household.Area.choices, "area", "城乡")
    for key, label, length in (("community", "村（社区）", 100), ("address", "居住地址", 200)):
        if not partial or key in data:
            if not (data.get(key) or "").strip():
                raise ValidationFailed(f"请填写{label}", field=key, code="required")
            out[key] = values.text(data.get(key), field=key, max_length=length, label=label)
    if "phone" in data:
        out["phone"] = values.phone(data.get("phone"), field="phone")
    if "dwelling_area" in data:
        out["dwelling_area"] = values.area(
            data.get("dwelling_area"), field="dwelling_area", required=False, label="住房面积"
        )
    return out


# Set while a reviewed change request (jiuzhu.caseload.changes) is applied: its reviewer was
# checked under ``change.review`` (a second person of the right scope), which then stands in
# for ``household.write`` — a city approver applies a town's change, a move reaches the other
# household. The actor is still the one recorded in the history.
_REVIEWED_CHANGE: ContextVar[bool] = ContextVar("reviewed_change", default=False)


@contextmanager
def applying_reviewed_change():
    token = _REVIEWED_CHANGE.set(True)
    try:
        yield
    finally:
        _REVIEWED_CHANGE.reset(token)


def _may_write(actor: User | None, household: Household) -> None:
    # actor None: the platform itself writes (the demo); no scope to check
    if actor is not None and not _REVIEWED_CHANGE.get():
        scope.require(actor, "household.write", household=household)


def _with_actor(obj, actor: User | None):
    if actor is not None and getattr(actor, "pk", None):
        obj._history_user = actor
    return obj


def next_household_code(town: Unit) -> str:
    prefix = f"H{town.division_code or town.code}"
    last = (
        Household.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


@transaction.atomic
def household_create(
    *, actor: User | None, data: dict, members: list[dict], today: date | None = None
) -> Household:
    """Register a household with its members. Exactly one member is the head."""
    fields = _clean_household(data)
    if not members:
        raise ValidationFailed("家庭至少应有一名成员", field="members", code="required")
    cleaned = [clean_member(mb, prefix=f"members[{i}].", today=today) for i, mb in enumerate(members)]
    heads = [i for i, c in enumerate(cleaned) if c["relation"] == Person.Relation.HEAD]
    if len(heads) != 1:
        raise ValidationFailed("家庭应有且只有一名户主", field="members", code="one_head_required")
    if actor is not None:
        scope.require(actor, "household.register", town=fields["town"])
    _check_new_ids(cleaned, household=None)
    household = _with_actor(Household(code=next_household_code(fields["town"]), **fields), actor)
    try:
        with transaction.atomic():
            household.save()
            for c in cleaned:
                _with_actor(Person(household=household, **c), actor).save()
    except IntegrityError as exc:
        raise Conflict("保存时发现重复的身份证号码或家庭编号，请刷新后重试", code="duplicate") from exc
    return household


@transaction.atomic
def household_update(*, actor: User | None, household: Household, data: dict) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    _may_write(actor, household)
    fields = _clean_household(data, partial=True)
    for k, v in fields.items():
        setattr(household, k, v)
    _with_actor(household, actor).save()
    return household


@transaction.atomic
def member_add(*, actor: User | None, household: Household, data: dict, today: date | None = None) -> Person:
    household = Household.objects.select_for_update().get(pk=household.pk)
    _may_write(actor, household)
    c = clean_member(data, today=today)
    if (
        c["relation"] == Person.Relation.HEAD
        and household.members.filter(relation=Person.Relation.HEAD).exists()
    ):
        raise ValidationFailed("该家庭已有户主", field="relation", code="one_head_required")
    _check_new_ids([c], household=household, prefix="member")
    person = _with_actor(Person(household=household, **c), actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise Conflict("该身份证号码已登记", field="id_number", code="duplicate_id_number") from exc
    return person


PERSON_EDITABLE = (
    "name",
    "relation",
    "phone",
    "labour_capacity",
    "disability_kind",
    "disability_grade",
    "serious_illness",
    "self_care",
    "school_stage",
    "employment_status",
    "has_capable_supporter",
)


@transaction.atomic
def member_update(*, actor: User | None, person: Person, data: dict) -> Person:
    """Change a member's facts. The ID number is not editable here: a wrong ID is a different
    person (remove and add), so history stays truthful."""
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _may_write(actor, person.household)
    if (
        "id_number" in data
        and data["id_number"]
        and idnumber.parse(data["id_number"]).number != person.id_number
    ):
        raise ValidationFailed(
            "身份证号码不可修改；如登记错误，请移除该成员后重新登记",
            field="id_number",
            code="id_number_immutable",
        )
    merged = {k: getattr(person, k) for k in PERSON_EDITABLE}
    merged.update({k: v for k, v in data.items() if k in PERSON_EDITABLE})
    merged["id_number"] = person.id_number
    c = clean_member(merged)
    if (
        c["relation"] == Person.Relation.HEAD
        and person.relation != Person.Relation.HEAD
        and person.household.members.filter(relation=Person.Relation.HEAD).exists()
    ):
        raise ValidationFailed("该家庭已有户主", field="relation", code="one_head_required")
    for k in PERSON_EDITABLE:
        setattr(person, k, c[k])
    _with_actor(person, actor).save()
    return person


@transaction.atomic
def member_move(*, actor: User | None, person: Person, to_household: Household, relation: str) -> Person:
    """Move a person to another household (e.g. after marriage or a split)."""
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _may_write(actor, person.household)
    _may_write(actor, to_household)
    if person.household_id == to_household.pk:
        raise ValidationFailed("已是该家庭成员", field="household", code="same_household")
    _choice(relation, Person.Relation.choices, "relation", "与户主关系")
    if (
        relation == Person.Relation.HEAD
        and to_household.members.filter(relation=Person.Relation.HEAD).exists()
    ):
        raise ValidationFailed("目标家庭已有户主", field="relation", code="one_head_required")
    if person.relation == Person.Relation.HEAD and person.household.members.exclude(pk=person.pk).exists():
        raise ValidationFailed("户主迁出前须先指定新户主", field="relation", code="head_must_be_replaced")
    person.household = to_household
    person.relation = relation
    _with_actor(person, actor).save()
    return person


@transaction.atomic
def income_add(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    monthly_amount,
    period_start: date,
    period_end: date,
    source: str = Source.SELF_DECLARED,
    note: str = "",
) -> IncomeItem:
    _may_write(actor, person.household)
    _choice(kind, IncomeItem.Kind.choices, "kind", "收入类别")
    amount = values.money(monthly_amount, field="monthly_amount", label="月均金额")
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="说明")
    for name, value, label in (
        ("period_start", period_start, "统计起日期"),
        ("period_end", period_end, "统计止日期"),
    ):
        if not isinstance(value, date):
            raise ValidationFailed(f"请填写有效的{label}", field=name, code="required")
    if period_end < period_start:
        raise ValidationFailed("统计止日期不能早于统计起日期", field="period_end")
    item = IncomeItem(
        person=person,
        kind=kind,
        monthly_amount=amount,
        period_start=period_start,
        period_end=period_end,
        source=source,
        note=note,
    )
    _with_actor(item, actor).save()
    return item


@transaction.atomic
def asset_add(
    *,
    actor: User | None,
    household: Household,
    kind: str,
    value,
    as_of: date,
    person: Person | None = None,
    floor_area=None,
    vehicle_purpose: str = "",
    source: str = Source.SELF_DECLARED,
    description: str = "",
) -> Asset:
    _may_write(actor, household)
    _choice(kind, Asset.Kind.choices, "kind", "资产类别")
    if person is not None and person.household_id != household.pk:
        raise ValidationFailed("资产所属人员不是本家庭成员", field="person")
    area = values.area(floor_area, field="floor_area", required=False, label="建筑面积")
    description = values.text(
        description, field="description", max_length=200, required=False, multiline=True, label="说明"
    )
    if kind == "house" and area is None:
        raise ValidationFailed("房产须填写建筑面积", field="floor_area", code="required")
    if vehicle_purpose:
        _choice(vehicle_purpose, Asset.VehiclePurpose.choices, "vehicle_purpose", "车辆用途")
    asset = Asset(
        household=household,
        person=person,
        kind=kind,
        value=values.money(value, field="value", label="价值"),
        floor_area=area,
        vehicle_purpose=vehicle_purpose,
        as_of=as_of,
        source=source,
        description=description,
    )
    _with_actor(asset, actor).save()
    return asset


@transaction.atomic
def record_removal(*, actor: User | None, obj: IncomeItem | Asset) -> None:
    _may_write(actor, obj.person.household if isinstance(obj, IncomeItem) else obj.household)
    _with_actor(obj, actor).delete()


@transaction.atomic
def units_sync(*, policy) -> list[Unit]:
    """Create or update the units declared in the policy file (matched by code). Units no
    longer declared are kept (history and cases point at them) but leave the conference."""
    lead = policy.city.lead_unit
    out = []
    for i, spec in enumerate(policy.units):
        unit, _ = Unit.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "division_code": spec.division_code,
                "is_conference_member": spec.conference,
                "is_data_source": spec.data_source,
                "duties": spec.duties,
                "sort_order": i,
            },
        )
        out.append(unit)
    lead_unit = Unit.objects.get(code=lead)
    Unit.objects.filter(code__in=[u.code for u in out]).exclude(pk=lead_unit.pk).update(parent=lead_unit)
    Unit.objects.exclude(code__in=[u.code for u in out]).update(is_conference_member=False)
    return out


# --- changes applied from an approved change request (jiuzhu.caseload.changes) ---------------


@transaction.atomic
def member_death(*, actor: User | None, person: Person, died_on: date) -> Person:
    """Record a member's death (the date of death; the person stays on the household's record)."""
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _may_write(actor, person.household)
    if died_on < person.birth_date:
        raise ValidationFailed("死亡日期早于出生日期", field="died_on", code="died_before_birth")
    person.deceased_on = died_on
    _with_actor(person, actor).save()
    return person


@transaction.atomic
def household_split(*, actor: User | None, household: Household, members: dict, data: dict) -> Household:
    """Split members off into a new household (分户): ``members`` maps person → relation to the
    new head (exactly one ``head``); ``data`` the new household's town, community, division
    code, area and address (missing ones are taken from the old household)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _may_write(actor, household)
    people = list(Person.objects.select_for_update().filter(pk__in=[getattr(p, "pk", p) for p in members]))
    if not people or len(people) != len(members):
        raise ValidationFailed("请选择要分出的成员", field="members", code="required")
    if any(p.household_id != household.pk for p in people):
        raise ValidationFailed("分出的成员须是本家庭成员", field="members", code="not_member")
    if len(people) == household.members.count():
        raise ValidationFailed(
            "不能把全部成员分出；全户迁移请办理住址或镇街变更", field="members", code="all_members"
        )
    rel = {getattr(p, "pk", p): r for p, r in members.items()}
    if sorted(rel.values()).count("head") != 1:
        raise ValidationFailed("新家庭应有且只有一名户主", field="members", code="one_head_required")
    stays = household.members.exclude(pk__in=rel)
    if (
        any(p.relation == Person.Relation.HEAD for p in people)
        and not stays.filter(relation=Person.Relation.HEAD).exists()
    ):
        raise ValidationFailed(
            "原户主分出后须先为原家庭指定新户主", field="members", code="head_must_be_replaced"
        )
    base = {k: getattr(household, k) for k in ("community", "division_code", "area", "address", "phone")}
    fields = _clean_household({"town": household.town, **base, **{k: v for k, v in data.items() if v}})
    new = _with_actor(Household(code=next_household_code(fields["town"]), **fields), actor)
    new.save()
    for p in people:
        p.household = new
        p.relation = _choice(rel[p.pk], Person.Relation.choices, "relation", "与户主关系")
        _with_actor(p, actor).save()
    return new


@transaction.atomic
def household_merge(
    *, actor: User | None, household: Household, other: Household, relations: dict
) -> Household:
    """Merge ``other``'s members into ``household`` (合户); ``relations`` gives each one's
    relation to this household's head. ``other`` stays on record, without members."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    other = Household.objects.select_for_update().get(pk=other.pk)
    _may_write(actor, household)
    _may_write(actor, other)
    if other.pk == household.pk:
        raise ValidationFailed("不能与本家庭合户", field="other", code="same_household")
    people = list(other.members.select_for_update())
    rel = {getattr(p, "pk", p): r for p, r in relations.items()}
    for p in people:
        relation = _choice(rel.get(p.pk) or "other", Person.Relation.choices, "relation", "与户主关系")
        if relation == Person.Relation.HEAD:
            raise ValidationFailed("合户后仍以本家庭户主为户主", field="relations", code="one_head_required")
        p.household = household
        p.relation = relation
        _with_actor(p, actor).save()
    return household
