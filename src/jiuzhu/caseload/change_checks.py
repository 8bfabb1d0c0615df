"""Checking a change request's payload (what the forms check): the same value checks as the
forms, per kind of change, with what it replaces (``before``)."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry import services as registry
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person, Unit

from .models import ChangeRequest

K = ChangeRequest
PERSON_KINDS = (K.Kind.MOVE_OUT, K.Kind.DEATH, K.Kind.MEMBER_FACTS, K.Kind.INCOME, K.Kind.BANK_ACCOUNT)
FACT_FIELDS = (
    "labour_capacity",
    "disability_kind",
    "disability_grade",
    "serious_illness",
    "self_care",
    "school_stage",
    "employment_status",
    "has_capable_supporter",
    "phone",
)


def _today() -> date:
    return values.today()


def _iso(d):
    return d.isoformat() if isinstance(d, date) else d


def _d(s) -> date | None:
    return date.fromisoformat(s) if s else None


def _day(s: str) -> date:
    """A date the checked payload always holds (ISO text)."""
    return date.fromisoformat(s)


def _field_label(name: str):
    """A member field's label (``verbose_name``); the editable facts are plain fields."""
    return getattr(Person._meta.get_field(name), "verbose_name", name)


# --- checking a payload (what the forms check) -------------------------------------------------


def _member_payload(p: dict, *, household: Household, today: date) -> dict:
    c = registry.clean_member(
        {k: v for k, v in (p.get("member") or p).items() if v not in (None, "")}, today=today
    )
    if c["relation"] == Person.Relation.HEAD:
        raise ValidationFailed(
            "新增成员不能为户主；请先办理户主变更", field="relation", code="one_head_required"
        )
    other = Person.objects.filter(id_number=c["id_number"]).select_related("household").first()
    if other is not None and other.household_id == household.pk:
        raise ValidationFailed(
            f"该身份证号码已是本家庭成员（{other.name}）", field="id_number", code="duplicate_id_number"
        )
    out = {k: _iso(v) for k, v in c.items()}
    if other is not None:
        out["from_household"] = other.household.code  # moves in from a registry household
    return out


def _check(
    kind: str, p: dict, *, household: Household, person: Person | None, today: date
) -> tuple[dict, dict, str]:
    """``(payload, before, summary)`` — the payload normalised, what it replaces, a line for lists."""
    name = person.name if person else ""
    if kind in PERSON_KINDS and person is None:
        raise ValidationFailed("请选择家庭成员", field="person", code="required")
    if person is not None and person.household_id != household.pk:
        raise ValidationFailed("该人员不是本家庭成员", field="person", code="not_member")
    if kind in (K.Kind.BIRTH, K.Kind.MOVE_IN):
        out = _member_payload(p, household=household, today=today)
        if kind == K.Kind.BIRTH and out.get("from_household"):
            raise ValidationFailed(
                "新生儿不应已在其他家庭登记", field="id_number", code="person_in_other_household"
            )
        return out, {}, f"{'出生' if kind == K.Kind.BIRTH else '迁入'}：{out['name']}"
    if kind == K.Kind.DEATH:
        assert person is not None  # PERSON_KINDS: refused above without a member
        died = values.past_date(p.get("died_on"), field="died_on", label="死亡日期")
        if person.deceased_on:
            raise ValidationFailed(
                f"{name} 已登记死亡（{person.deceased_on}）", field="person", code="already_deceased"
            )
        if died < person.birth_date:
            raise ValidationFailed("死亡日期早于出生日期", field="died_on", code="died_before_birth")
        return {"died_on": died.isoformat()}, {"deceased_on": None}, f"{name} 死亡（{died}）"
    if kind == K.Kind.MOVE_OUT:
        assert person is not None  # PERSON_KINDS: refused above without a member
        code = values.text(p.get("to_household"), field="to_household", label="迁入家庭编号", max_length=40)
        target = Household.objects.filter(code=code).first()
        if target is None or target.pk == household.pk:
            raise ValidationFailed(f"迁入家庭“{code}”不存在", field="to_household", code="unknown_household")
        relation = p.get("relation") or "other"
        registry._choice(relation, Person.Relation.choices, "relation", "与户主关系")
        if person.relation == Person.Relation.HEAD:
            raise ValidationFailed("户主迁出前须先指定新户主", field="person", code="head_must_be_replaced")
        return (
            {"to_household": code, "relation": relation},
            {"household": household.code, "relation": person.relation},
            f"{name} 迁往家庭 {code}",
        )
    if kind == K.Kind.MEMBER_FACTS:
        assert person is not None  # PERSON_KINDS: refused above without a member
        given = {k: v for k, v in (p.get("fields") or p).items() if k in FACT_FIELDS}
        if not given:
            raise ValidationFailed("请填写要变更的内容", field="fields", code="required")
        merged = {k: getattr(person, k) for k in registry.PERSON_EDITABLE} | given
        merged["id_number"] = person.id_number
        c = registry.clean_member(merged, today=today)
        changed = {k: c[k] for k in given if c[k] != getattr(person, k)}
        if not changed:
            raise ValidationFailed("变更内容与现有登记相同", field="fields", code="no_change")
        return (
            {"fields": changed},
            {k: getattr(person, k) for k in changed},
            f"{name} 情况变更：{'、'.join(str(_field_label(k)) for k in changed)}",
        )
    if kind == K.Kind.INCOME:
        registry._choice(p.get("kind"), IncomeItem.Kind.choices, "kind", "收入类别")
        amount = values.money(p.get("monthly_amount"), field="monthly_amount", label="月均金额")
        start = values.parse_date(p.get("period_start"), field="period_start", label="统计起日期")
        end = values.parse_date(p.get("period_end"), field="period_end", label="统计止日期")
        if end < start:
            raise ValidationFailed("统计止日期不能早于统计起日期", field="period_end", code="period_order")
        replaces = [int(x) for x in p.get("replaces") or []]
        old = list(IncomeItem.objects.filter(pk__in=replaces, person=person))
        if len(old) != len(replaces):
            raise ValidationFailed("被替换的收入不是该成员的", field="replaces", code="not_member")
        note = values.text(p.get("note"), field="note", label="说明", max_length=200, required=False)
        label = dict(IncomeItem.Kind.choices)[p["kind"]]
        return (
            {
                "kind": p["kind"],
                "monthly_amount": str(amount),
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "replaces": replaces,
                "note": note,
            },
            {"incomes": [{"id": i.pk, "kind": i.kind, "monthly_amount": str(i.monthly_amount)} for i in old]},
            f"{name} {label} 月均 {amount} 元",
        )
    if kind == K.Kind.ASSET:
        if p.get("remove"):
            a = Asset.objects.filter(pk=p["remove"], household=household).first()
            if a is None:
                raise ValidationFailed("该资产不是本家庭的", field="remove", code="not_member")
            return (
                {"remove": a.pk},
                {"asset": {"kind": a.kind, "value": str(a.value)}},
                f"注销资产：{a.get_kind_display()}",
            )
        registry._choice(p.get("kind"), Asset.Kind.choices, "kind", "资产类别")
        value = values.money(p.get("value"), field="value", label="价值")
        area = values.area(
            p.get("floor_area"), field="floor_area", label="建筑面积", required=p.get("kind") == "house"
        )
        as_of = values.past_date(p.get("as_of"), field="as_of", label="数据日期")
        owner = p.get("person_id") or (person.pk if person else None)
        if owner and not household.members.filter(pk=owner).exists():
            raise ValidationFailed("资产所属人员不是本家庭成员", field="person", code="not_member")
        return (
            {
                "kind": p["kind"],
                "value": str(value),
                "floor_area": None if area is None else str(area),
                "as_of": as_of.isoformat(),
                "person_id": owner,
                "vehicle_purpose": p.get("vehicle_purpose") or "",
                "description": values.text(
                    p.get("description"), field="description", max_length=200, required=False
                ),
            },
            {},
            f"新增资产：{dict(Asset.Kind.choices)[p['kind']]} {value} 元",
        )
    if kind == K.Kind.BANK_ACCOUNT:
        from jiuzhu.payments import crypto

        number = "".join(ch for ch in str(p.get("number") or "") if ch.isdigit())
        if not 12 <= len(number) <= 30:
            raise ValidationFailed("银行账号应为12至30位数字", field="number", code="bad_account")
        bank = values.text(p.get("bank_name"), field="bank_name", label="开户行", max_length=100)
        holder = values.text(
            p.get("holder_name"), field="holder_name", label="户名", max_length=50, required=False
        )
        acct = getattr(person, "bank_account", None) if hasattr(person, "bank_account") else None
        return (
            {
                "bank_name": bank,
                "holder_name": holder or name,
                "number_encrypted": crypto.encrypt(number),
                "tail": number[-4:],
            },
            {"bank_name": acct.bank_name, "tail": acct.tail} if acct else {},
            f"{name} 银行账户变更为 {bank} 尾号 {number[-4:]}",
        )
    if kind == K.Kind.ADDRESS:
        fields = {}
        for key, label, size in (("address", "居住地址", 200), ("community", "村（社区）", 100)):
            if p.get(key):
                fields[key] = values.text(p[key], field=key, label=label, max_length=size)
        if "phone" in p:
            fields["phone"] = values.phone(p.get("phone"), field="phone")
        if not fields:
            raise ValidationFailed("请填写新的住址或联系电话", field="address", code="required")
        return (
            fields,
            {k: getattr(household, k) for k in fields},
            f"住址变更：{fields.get('address') or fields.get('phone')}",
        )
    if kind == K.Kind.MOVE_TOWN:
        town = Unit.objects.filter(code=p.get("town"), kind=Unit.Kind.TOWN).first()
        if town is None or town.pk == household.town_id:
            raise ValidationFailed("请选择迁入的其他镇街", field="town", code="unknown_town")
        fields = registry._clean_household(
            {
                "town": town,
                "community": p.get("community"),
                "division_code": p.get("division_code") or town.division_code,
                "area": p.get("area") or household.area,
                "address": p.get("address"),
            }
        )
        fields["town"] = town.code
        return (
            fields,
            {"town": household.town.code, "community": household.community, "address": household.address},
            f"迁往{town.name}：{fields['address']}",
        )
    if kind == K.Kind.SPLIT:
        members = {int(k): v for k, v in (p.get("members") or {}).items()}
        if not members:
            raise ValidationFailed("请选择要分出的成员", field="members", code="required")
        if list(members.values()).count("head") != 1:
            raise ValidationFailed("新家庭应有且只有一名户主", field="members", code="one_head_required")
        names = dict(household.members.filter(pk__in=members).values_list("pk", "name"))
        if len(names) != len(members):
            raise ValidationFailed("分出的成员须是本家庭成员", field="members", code="not_member")
        extra = {k: p.get(k) for k in ("address", "community") if p.get(k)}
        return (
            {"members": {str(k): v for k, v in members.items()}, **extra},
            {},
            f"分户：{'、'.join(names.values())} 分出另立一户",
        )
    if kind == K.Kind.MERGE:
        other = Household.objects.filter(code=p.get("other")).first()
        if other is None or other.pk == household.pk:
            raise ValidationFailed(
                f"合入家庭“{p.get('other')}”不存在", field="other", code="unknown_household"
            )
        relations = {str(k): v for k, v in (p.get("relations") or {}).items()}
        head = other.members.filter(relation=Person.Relation.HEAD).first()
        if p.get("head_relation") and head is not None:  # the form names only the other head's
            relations.setdefault(str(head.pk), p["head_relation"])
        theirs = set(other.members.values_list("pk", flat=True))
        for pk, relation in relations.items():
            if not pk.isdigit() or int(pk) not in theirs:
                raise ValidationFailed("合入的成员须是被合入家庭的成员", field="relations", code="not_member")
            registry._choice(relation, Person.Relation.choices, "relations", "与户主关系")
            if relation == Person.Relation.HEAD:
                raise ValidationFailed(
                    "合户后仍以本家庭户主为户主", field="relations", code="one_head_required"
                )
        return {"other": other.code, "relations": relations}, {}, f"合户：家庭 {other.code} 并入本户"
    raise ValidationFailed("未知的变更事项", field="kind", code="invalid_choice")
