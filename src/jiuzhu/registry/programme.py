"""Programme facts (DOMAIN §7): what each kind holds, how a posted value is checked, the write
(a new dated row per change, never an edit) and the household's history of them. The rules
read the current ones through ``registry.programme_read`` (called by the one registry facts
reader, ``decisions.frames.registry_facts``).

Every kind is declared once in ``FIELDS``: field name → (label, kind of value, choices or
None, required). The window form, the API schema and the household page read it.
"""

from __future__ import annotations

from django.db import models, transaction

from jiuzhu.common import masking as m
from jiuzhu.common import scope, values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.policy.facts import NEED_KINDS, TEMPORARY_CAUSES

from .models import Household, Person, ProgrammeFact, User


class DisasterKind(models.TextChoices):
    FLOOD = "flood", "洪涝"
    DROUGHT = "drought", "干旱"
    TYPHOON = "typhoon", "台风"
    EARTHQUAKE = "earthquake", "地震"
    GEOLOGICAL = "geological", "地质灾害"
    SNOW_ICE = "snow_ice", "低温雨雪冰冻"
    FIRE = "fire", "森林草原火灾"
    OTHER = "other", "其他自然灾害"


class ResponseLevel(models.TextChoices):
    LEVEL_1 = "1", "Ⅰ级"
    LEVEL_2 = "2", "Ⅱ级"
    LEVEL_3 = "3", "Ⅲ级"
    LEVEL_4 = "4", "Ⅳ级"


class HouseDamage(models.TextChoices):
    NONE = "none", "住房未受损"
    GENERAL = "general", "一般损坏"
    SEVERE = "severe", "严重损坏"
    DESTROYED = "destroyed", "倒塌"


class SupportMode(models.TextChoices):
    DISPERSED = "dispersed", "分散供养"
    INSTITUTIONAL = "institutional", "集中供养"


NEED_KIND_LABELS = dict(zip(NEED_KINDS, ("急难型", "支出型"), strict=True))
# The six activities of daily living (特困人员生活自理能力评估): True = cannot do it alone.
SELF_CARE_ITEMS = [
    ("eating", "自主吃饭"),
    ("dressing", "自主穿衣"),
    ("transfer", "自主上下床"),
    ("toileting", "自主如厕"),
    ("walking", "室内自主行走"),
    ("bathing", "自主洗澡"),
]

T, MONEY, INT, BOOL, CHOICE, DATE = "text", "money", "int", "bool", "choice", "date"
# kind -> {field: (label, value kind, choices, required)}
FIELDS: dict[str, dict[str, tuple]] = {
    "disaster": {
        "event": ("灾害事件", T, None, True),
        "event_on": ("发生日期", DATE, None, True),
        "disaster_kind": ("灾害种类", CHOICE, DisasterKind.choices, True),
        "response_level": ("响应等级", CHOICE, ResponseLevel.choices, False),
        "house_damage": ("住房受损程度", CHOICE, HouseDamage.choices, True),
        "persons_affected": ("受灾人数", INT, None, True),
        "persons_displaced": ("需过渡期安置人数", INT, None, False),
        "displaced_days": ("过渡期安置天数", INT, None, False),
        "winter_hardship": ("冬春生活困难", BOOL, None, False),
    },
    "temporary_need": {
        "need_kind": ("困难类型", CHOICE, list(NEED_KIND_LABELS.items()), True),
        "cause": ("困难原因", CHOICE, list(TEMPORARY_CAUSES), True),
        "amount": ("所需金额（元）", MONEY, None, True),
        "description": ("情况说明", T, None, False),
    },
    "medical_costs": {
        "out_of_pocket": ("本年政策范围内自付费用（元）", MONEY, None, True),
        "paid_this_year": ("本年已获医疗救助（元）", MONEY, None, True),
        "emergency_unpaid": ("急诊急救费用无力支付", BOOL, None, False),
    },
    "support_mode": {
        "mode": ("供养方式", CHOICE, SupportMode.choices, True),
        "institution": ("供养机构", T, None, False),
        "carer": ("照料人", T, None, False),
    },
    "orphan": {
        "orphan": ("孤儿", BOOL, None, False),
        "orphan_support": ("选择领取孤儿基本生活费", BOOL, None, False),
    },
    "self_care": {
        "assessor": ("评估人", T, None, True),
        **{k: (f"不能{label}", BOOL, None, False) for k, label in SELF_CARE_ITEMS},
    },
    "rigid_spending": {
        "medical": ("近12个月医疗支出（元）", MONEY, None, True),
        "education": ("近12个月教育支出（元）", MONEY, None, True),
        "rehabilitation": ("近12个月康复支出（元）", MONEY, None, True),
    },
    "university_admission": {
        "university": ("录取学校", T, None, True),
    },
    "dwelling": {
        "dwelling_unsafe": ("住房经鉴定为危房", BOOL, None, False),
        "homeless": ("流浪乞讨、生活无着", BOOL, None, False),
    },
}
KIND_LABELS = dict(ProgrammeFact.Kind.choices)
INT_MAX = 100_000


def _bool(raw, *, field: str, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw in (None, "", "0", 0, "false", "off", "no"):
        return False
    if raw in ("1", 1, "true", "on", "yes"):
        return True
    raise ValidationFailed(f"{label}应为是或否", field=field, code="invalid_boolean")


def _int(raw, *, field: str, label: str, required: bool) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationFailed(f"{label}不能为空", field=field, code="required")
        return 0
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValidationFailed(f"{label}应为整数", field=field, code="invalid_integer")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValidationFailed(f"{label}应为整数", field=field, code="invalid_integer") from None
    if not 0 <= value <= INT_MAX:
        raise ValidationFailed(f"{label}应在 0–{INT_MAX} 之间", field=field, code="out_of_range")
    return value


def _choice(raw, *, field: str, label: str, choices, required: bool) -> str:
    if raw in (None, "") and not required:
        return ""
    keys = {k for k, _ in choices}
    value = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if value not in keys:
        names = "、".join(name for _, name in choices)
        code = "required" if raw in (None, "") else "invalid_choice"
        raise ValidationFailed(f"{label}不是有效取值（可选：{names}）", field=field, code=code)
    return value


def clean(kind: str, data: dict) -> dict:
    """The kind's fields from ``data`` checked and normalised (JSON-ready: amounts as text,
    dates ISO); unknown fields refused. Raises ``ValidationFailed(field, code)``."""
    spec = FIELDS.get(kind)
    if spec is None:
        names = "、".join(KIND_LABELS.values())
        raise ValidationFailed(f"信息类别不是有效取值（可选：{names}）", field="kind", code="invalid_choice")
    if not isinstance(data, dict):
        raise ValidationFailed("内容应为对象", field="data", code="invalid")
    unknown = [k for k in data if k not in spec]
    if unknown:
        raise ValidationFailed(f"未知字段 {unknown[0]}", field=f"data.{unknown[0]}", code="unknown_field")
    out: dict = {}
    for name, (label, vkind, choices, required) in spec.items():
        raw, field = data.get(name), f"data.{name}"
        if vkind == T:
            out[name] = values.text(raw, field=field, max_length=100, required=required, label=label)
        elif vkind == MONEY:
            amount = values.money(raw, field=field, required=required, label=label)
            out[name] = f"{amount or 0:.2f}"
        elif vkind == INT:
            out[name] = _int(raw, field=field, label=label, required=required)
        elif vkind == BOOL:
            out[name] = _bool(raw, field=field, label=label)
        elif vkind == CHOICE:
            out[name] = _choice(raw, field=field, label=label, choices=choices, required=required)
        elif vkind == DATE:
            out[name] = values.past_date(raw, field=field, label=label).isoformat()
    _cross_check(kind, out)
    return out


def _cross_check(kind: str, out: dict) -> None:
    if kind == "disaster":
        if out["persons_displaced"] > out["persons_affected"]:
            raise ValidationFailed(
                "需过渡期安置人数不能多于受灾人数", field="data.persons_displaced", code="out_of_range"
            )
        if out["persons_displaced"] and not out["displaced_days"]:
            raise ValidationFailed(
                "有需过渡期安置人员时请填写安置天数", field="data.displaced_days", code="required"
            )
    if (
        kind == ProgrammeFact.Kind.SUPPORT_MODE
        and out["mode"] == SupportMode.INSTITUTIONAL
        and not out["institution"]
    ):
        raise ValidationFailed("集中供养请填写供养机构", field="data.institution", code="required")
    if kind == "orphan" and out["orphan_support"] and not out["orphan"]:
        raise ValidationFailed("非孤儿不能选择孤儿基本生活费", field="data.orphan_support", code="invalid")


@transaction.atomic
def fact_record(
    *,
    actor: User | None,  # None: written by the platform itself (the demo), no scope to check
    household: Household,
    kind: str,
    data: dict,
    effective_on=None,
    person: Person | None = None,
) -> ProgrammeFact:
    """Record a programme fact of ``household`` (of its member ``person`` for the member kinds)
    as of ``effective_on`` (default today; not in the future): a new row, the earlier ones kept
    as its history. The same fact posted twice (a double click, a retried request: the
    household's row lock serialises them) is recorded once. Scope ``household.write``."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if actor is not None:
        scope.require(actor, "household.write", household=household)
    return _record(household, kind, data, effective_on, person, actor)


@transaction.atomic
def area_fact_record(
    *, recorded_by, household: Household, kind: str, data: dict, effective_on, person: Person | None = None
) -> ProgrammeFact:
    """A programme fact recorded by the area that runs the programme as part of its own action
    (a support home's admission or leaving: ``tekun.manage``), which the caller has checked
    against the scope table in the same transaction. Cleaned and deduplicated as
    ``fact_record``; the rules read it like any other."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    return _record(household, kind, data, effective_on, person, recorded_by)


def _record(household, kind, data, effective_on, person, actor: User | None) -> ProgrammeFact:
    if kind not in FIELDS:
        clean(kind, data)  # refuses the kind
    on = (
        values.past_date(effective_on, field="effective_on", label="日期") if effective_on else values.today()
    )
    if kind in ProgrammeFact.MEMBER_KINDS:
        if person is None:
            raise ValidationFailed(f"{KIND_LABELS[kind]}须指明家庭成员", field="person", code="required")
        if person.household_id != household.pk:
            raise ValidationFailed("该成员不属于此家庭", field="person", code="not_a_member")
        if person.deceased_on and person.deceased_on <= on:
            raise ValidationFailed("该成员已死亡", field="person", code="deceased")
    elif person is not None:
        raise ValidationFailed(f"{KIND_LABELS[kind]}是家庭的信息，不指明成员", field="person", code="invalid")
    cleaned = clean(kind, data)
    same = (
        ProgrammeFact.objects.filter(household=household, person=person, kind=kind, effective_on=on)
        .order_by("-id")
        .first()
    )
    if same is not None and same.data == cleaned:  # a repeated submission records nothing new
        return same
    return ProgrammeFact.objects.create(
        household=household,
        person=person,
        kind=kind,
        effective_on=on,
        data=cleaned,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


def area_facts_record_many(*, recorded_by, kind: str, rows) -> dict[int, int]:
    """Household facts of one kind recorded in bulk by the area that runs the programme as part
    of its own action (a disaster's village list: ``disaster.register``), which the caller has
    checked against the scope table and whose transaction this joins. ``rows`` is
    ``[(household id, effective_on, data)]``, at most one per household; each ``data`` is
    cleaned as at the window (``clean``: a bad one raises and the caller's transaction writes
    nothing). One bulk insert; returns ``{household id: fact id}``."""
    if kind in ProgrammeFact.MEMBER_KINDS:
        raise ValidationFailed(f"{KIND_LABELS[kind]}须逐人登记", field="kind", code="invalid")
    cleaned: dict[tuple, dict] = {}  # a list repeats a few shapes of damage: each cleaned once

    def cleaned_once(data: dict) -> dict:
        key = tuple(sorted((k, type(v).__name__, str(v)) for k, v in data.items()))  # 3 is not "3"
        if key not in cleaned:
            cleaned[key] = clean(kind, data)
        return cleaned[key]

    by = recorded_by if getattr(recorded_by, "pk", None) else None
    facts = [
        ProgrammeFact(household_id=hid, kind=kind, effective_on=on, data=cleaned_once(data), recorded_by=by)
        for hid, on, data in rows
    ]
    made = ProgrammeFact.objects.bulk_create(facts, batch_size=2000)
    if all(f.pk for f in made):
        return {f.household_id: f.pk for f in made}
    out: dict[int, int] = {}  # a backend that does not return the new ids: the newest per household
    hids = [f.household_id for f in facts]
    for i in range(0, len(hids), 5000):
        for hid, pk in (
            ProgrammeFact.objects.filter(household_id__in=hids[i : i + 5000], kind=kind)
            .order_by("id")
            .values_list("household_id", "id")
        ):
            out[hid] = pk
    return out


def display(fact: ProgrammeFact) -> list[tuple[str, str]]:
    """``[(label, shown value)]`` of a fact's fields, in words (no internal codes)."""
    out = []
    for name, (label, vkind, choices, _required) in FIELDS[fact.kind].items():
        raw = fact.data.get(name)
        if vkind == BOOL:
            if not raw:
                continue
            shown = "是"
        elif vkind == CHOICE:
            shown = dict(choices).get(raw, "")
        elif vkind == MONEY:
            shown = f"¥{raw}"
        else:
            shown = "" if raw in (None, "") else str(raw)
        if shown:
            out.append((label, shown))
    return out


def history(*, actor: User, household: Household, kind: str | None = None) -> list[ProgrammeFact]:
    """The household's programme facts, newest first (scope ``household.read``; the read is
    logged)."""
    scope.read(actor, "household.read", household=household, purpose="查看救助事项信息")
    return rows(household, kind=kind)


def rows(household: Household, *, kind: str | None = None) -> list[ProgrammeFact]:
    """The household's programme facts, newest first, unchecked: for a page whose read of the
    household is already checked and logged."""
    qs = ProgrammeFact.objects.filter(household=household).select_related("person", "recorded_by")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-effective_on", "-id"))


HEALTH_KINDS = (ProgrammeFact.Kind.MEDICAL_COSTS, ProgrammeFact.Kind.SELF_CARE)


def fact_view(fact: ProgrammeFact, role: str | None, *, current: bool) -> dict:
    """One fact as ``role`` may see it: the member's name masked, health facts (medical costs,
    self-care) hidden from roles that do not see health data."""
    hidden = fact.kind in HEALTH_KINDS and not m.sees("health", role)
    return {
        "id": fact.pk,
        "kind": fact.kind,
        "kind_label": KIND_LABELS[fact.kind],
        "effective_on": fact.effective_on,
        "member": m.present("name", fact.person.name, role) if fact.person is not None else "",
        "data": {} if hidden else fact.data,
        "shown": [("内容", "***")] if hidden else display(fact),
        "current": current,
        "recorded_by": (fact.recorded_by.display_name or fact.recorded_by.username)
        if fact.recorded_by
        else "",
        "recorded_at": fact.recorded_at,
    }
