"""The facts the rules take: a household, its members, their incomes and assets, and the
context of a particular need (temporary, medical, disaster). Pure: no Django import.

Build them directly (``HouseholdFacts(area="urban", members=(MemberFacts(age=40), ...))``),
from a JSON-like mapping (``from_dict`` — what the API posts), or from a registry household
(``from_registry`` — duck-typed, so this module still imports no Django).

Amounts are ``Decimal`` yuan with two places (floats refused: they lose cents); floor areas
are ``Decimal`` m² with two places. Incomes are monthly averages of the last 12 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jiuzhu.common import idnumber
from jiuzhu.common.errors import ValidationFailed

AREAS = ("urban", "rural")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
LABOUR = ("full", "partial", "none")
DISABILITY_KINDS = ("", "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
SELF_CARE = ("full", "partial", "none")
SCHOOL_STAGES = ("", "preschool", "primary", "junior", "senior", "vocational", "university", "postgraduate")
GENDERS = ("M", "F")
VEHICLE_PURPOSES = ("disability", "livelihood", "other")
# Why a statutory supporter cannot support (特困人员认定办法 第八条).
SUPPORTER_UNABLE = (
    "tekun",
    "dibao_60",
    "aged_70_low_income",
    "severely_disabled_low_income",
    "imprisoned",
    "missing",
    "no_civil_capacity",
    "none_exists",
)
# Why a person living with the family is not a member (最低生活保障审核确认办法 第七条).
NOT_COUNTED = ("prison", "drug_rehab", "missing", "clergy")
TEKUN_MODES = ("dispersed", "institutional")
NEED_KINDS = ("emergency", "expenditure")
# Causes of a temporary need (社会救助暂行办法 第四十七条; same cause: once in 12 months), declared
# once for the window, the referral, aid first, the registry's programme facts and screening:
# (code, label). The codes are intake's ``Cause`` (screens engineer), which can read this list.
TEMPORARY_CAUSES = (
    ("fire", "火灾"),
    ("accident", "交通事故等意外"),
    ("illness", "突发重大疾病"),
    ("disaster", "自然灾害"),
    ("medical_costs", "医疗费用支出过大"),
    ("education_costs", "教育费用支出过大"),
    ("other", "其他急难情形"),
)
CENT = Decimal("0.01")


class InvalidFacts(ValidationFailed):
    """The household posted cannot be assessed; ``field`` names the offending value."""

    code = "invalid_household"
    status = 422


def _dec(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise InvalidFacts(f"{name} 不能是浮点数，请用字符串或整数", field=name)
    if isinstance(value, bool):
        raise InvalidFacts(f"{name} 应为数值", field=name)
    try:
        out = Decimal(value if value is not None else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidFacts(f"{name} 应为数值，实为 {value!r}", field=name) from None
    if not out.is_finite() or out < 0:
        raise InvalidFacts(f"{name} 应为非负数，实为 {value}", field=name)
    if out > Decimal("1e9"):  # keeps the batch path's integer cents far from overflow
        raise InvalidFacts(f"{name} 数值过大", field=name)
    return out.quantize(CENT, rounding=ROUND_HALF_UP)


def _choice(value, allowed, name: str):
    if value not in allowed:
        shown = "/".join(a or "（空）" for a in allowed)
        raise InvalidFacts(f"{name} 应为 {shown} 之一，实为 {value!r}", field=name)
    return value


class _Frozen:
    def _set(self, name, value):
        object.__setattr__(self, name, value)

    def _money(self, *names):
        for n in names:
            self._set(n, _dec(getattr(self, n), n))


@dataclass(frozen=True)
class Income(_Frozen):
    """One member's monthly income by item. ``excluded`` is what the rules never count
    (special-care pensions, family-planning awards, scholarships and bravery awards,
    social-assistance payments); ``pension_basic`` is counted or not by the policy flag
    ``income.basic_pension_excluded``."""

    wages: Decimal = Decimal(0)
    business: Decimal = Decimal(0)
    property: Decimal = Decimal(0)
    transfer: Decimal = Decimal(0)
    pension_basic: Decimal = Decimal(0)
    excluded: Decimal = Decimal(0)

    def __post_init__(self):
        self._money("wages", "business", "property", "transfer", "pension_basic", "excluded")


@dataclass(frozen=True)
class MemberFacts(_Frozen):
    relation: str = "head"
    id_number: str | None = None  # when given, birth date and gender come from it
    birth_date: date | None = None
    age: int | None = None  # only when neither ID number nor birth date is known: age on as_of
    gender: str | None = None
    labour_capacity: str = "full"
    disability_kind: str = ""
    disability_grade: int | None = None
    serious_illness: bool = False  # a listed serious illness (重特大疾病)
    self_care: str = "full"
    self_care_items_failed: int | None = None  # of the 6 daily-living items; decides self_care
    school_stage: str = ""
    university_entrant: bool = False
    employed: bool = False
    income: Income = field(default_factory=Income)
    has_capable_supporter: bool = True
    supporter_unable: str | None = None
    not_counted: str | None = None  # lives with the family but is not a member (prison, …)
    work_refusals: int = 0  # consecutive refusals of suitable work without good reason
    tekun_mode: str = "dispersed"  # chosen form of extreme-poverty support
    in_tekun_support: bool = False  # already in extreme-poverty support (continuation at 18+)
    orphan_support: bool = False  # a minor who chose orphan support instead
    out_of_pocket: Decimal = Decimal(0)  # in-policy medical costs left after insurance
    medical_paid_this_year: Decimal = Decimal(0)  # medical assistance already paid this year
    emergency_unpaid: bool = False  # emergency treatment unidentified or unable to pay

    def __post_init__(self):
        _choice(self.relation, RELATIONS, "relation")
        if self.id_number:
            info = idnumber.parse(self.id_number, field="id_number")
            self._set("id_number", info.number)
            if self.birth_date is not None and self.birth_date != info.birth_date:
                raise InvalidFacts(
                    f"出生日期 {self.birth_date} 与身份证号码中的 {info.birth_date} 不一致",
                    field="birth_date",
                )
            self._set("birth_date", info.birth_date)
            if self.gender is not None and self.gender != info.gender:
                raise InvalidFacts("性别与身份证号码不一致", field="gender")
            self._set("gender", info.gender)
        if self.birth_date is None and self.age is None:
            raise InvalidFacts("须提供身份证号码、出生日期或年龄之一", field="birth_date")
        if self.age is not None and (
            isinstance(self.age, bool) or not isinstance(self.age, int) or not 0 <= self.age <= 130
        ):
            raise InvalidFacts(f"年龄应为 0–130 的整数，实为 {self.age!r}", field="age")
        if self.gender is not None:
            _choice(self.gender, GENDERS, "gender")
        _choice(self.labour_capacity, LABOUR, "labour_capacity")
        _choice(self.disability_kind or "", DISABILITY_KINDS, "disability_kind")
        self._set("disability_kind", self.disability_kind or "")
        if self.disability_kind and self.disability_grade not in (1, 2, 3, 4):
            raise InvalidFacts("有残疾类别时残疾等级应为 1–4", field="disability_grade")
        if not self.disability_kind and self.disability_grade is not None:
            raise InvalidFacts("无残疾类别时不应有残疾等级", field="disability_grade")
        if self.self_care_items_failed is not None and not 0 <= self.self_care_items_failed <= 6:
            raise InvalidFacts("六项日常生活活动中不能完成的项数应为 0–6", field="self_care_items_failed")
        _choice(self.self_care, SELF_CARE, "self_care")
        _choice(self.school_stage or "", SCHOOL_STAGES, "school_stage")
        self._set("school_stage", self.school_stage or "")
        if self.supporter_unable is not None:
            _choice(self.supporter_unable, SUPPORTER_UNABLE, "supporter_unable")
            if self.has_capable_supporter:
                raise InvalidFacts(
                    "已说明义务人无能力，has_capable_supporter 应为 false", field="has_capable_supporter"
                )
        if self.not_counted is not None:
            _choice(self.not_counted, NOT_COUNTED, "not_counted")
        if (
            isinstance(self.work_refusals, bool)
            or not isinstance(self.work_refusals, int)
            or self.work_refusals < 0
        ):
            raise InvalidFacts("拒绝介绍工作次数应为非负整数", field="work_refusals")
        _choice(self.tekun_mode, TEKUN_MODES, "tekun_mode")
        if not isinstance(self.income, Income):
            raise InvalidFacts("income 应为 Income", field="income")
        self._money("out_of_pocket", "medical_paid_this_year")

    def age_on(self, as_of: date) -> int:
        if self.birth_date is not None:
            return idnumber.age_on(self.birth_date, as_of)
        assert self.age is not None  # __post_init__ refuses a member with neither
        return self.age


@dataclass(frozen=True)
class Vehicle(_Frozen):
    value: Decimal = Decimal(0)
    purpose: str = "other"

    def __post_init__(self):
        self._money("value")
        _choice(self.purpose, VEHICLE_PURPOSES, "purpose")


@dataclass(frozen=True)
class House(_Frozen):
    floor_area: Decimal = Decimal(0)

    def __post_init__(self):
        self._money("floor_area")


@dataclass(frozen=True)
class Assets(_Frozen):
    financial: Decimal = Decimal(0)  # deposits, securities, funds, insurance cash value …
    vehicles: tuple[Vehicle, ...] = ()
    houses: tuple[House, ...] = ()  # every house owned, including the one lived in
    business_capital: Decimal = Decimal(0)  # the largest registered capital of a business
    current_floor_area: Decimal | None = None  # floor area of the dwelling lived in

    def __post_init__(self):
        self._money("financial", "business_capital")
        self._set("vehicles", tuple(self.vehicles))
        self._set("houses", tuple(self.houses))
        if self.current_floor_area is not None:
            self._money("current_floor_area")


@dataclass(frozen=True)
class DibaoStatus(_Frozen):
    """The household's current dibao, for gradual exit (渐退)."""

    receiving: bool = False
    monthly_amount: Decimal | None = None
    income_rose_on: date | None = None  # when income rose to or above the standard
    rose_through_employment: bool = False

    def __post_init__(self):
        if self.monthly_amount is not None:
            self._money("monthly_amount")


@dataclass(frozen=True)
class TemporaryNeed(_Frozen):
    kind: str = "emergency"  # emergency (急难) | expenditure (支出)
    cause: str = ""  # fire, accident, illness, education, medical, … (same cause: once a year)
    amount: Decimal = Decimal(0)  # amount needed
    last_same_cause_on: date | None = None  # last temporary aid for the same cause

    def __post_init__(self):
        _choice(self.kind, NEED_KINDS, "kind")
        self._money("amount")


@dataclass(frozen=True)
class DisasterFacts(_Frozen):
    persons: int = 0  # persons needing transitional living aid
    days: int = 0  # days of transitional living
    house_destroyed: bool = False
    winter_hardship: bool = False

    def __post_init__(self):
        for n in ("persons", "days"):
            v = getattr(self, n)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100_000:
                raise InvalidFacts(f"{n} 应为非负整数", field=n)


@dataclass(frozen=True)
class RigidExpenditure(_Frozen):
    """Necessary spending of the last 12 months (刚性支出困难家庭认定办法 第五条)."""

    medical: Decimal = Decimal(0)
    education: Decimal = Decimal(0)
    rehabilitation: Decimal = Decimal(0)

    def __post_init__(self):
        self._money("medical", "education", "rehabilitation")

    @property
    def total(self) -> Decimal:
        return self.medical + self.education + self.rehabilitation


@dataclass(frozen=True)
class HouseholdFacts(_Frozen):
    area: str
    members: tuple[MemberFacts, ...]
    assets: Assets = field(default_factory=Assets)
    dibao_status: DibaoStatus = field(default_factory=DibaoStatus)
    temporary: TemporaryNeed | None = None
    disaster: DisasterFacts | None = None
    rigid_expenditure: RigidExpenditure = field(default_factory=RigidExpenditure)
    dwelling_unsafe: bool = False  # house assessed as dangerous (危房)
    homeless: bool = False  # living on the street without means (流浪乞讨)

    def __post_init__(self):
        _choice(self.area, AREAS, "area")
        self._set("members", tuple(self.members))
        if not self.members:
            raise InvalidFacts("家庭至少要有一名成员", field="members")
        if len(self.members) > 30:
            raise InvalidFacts("家庭成员不能超过30人", field="members")
        if all(m.not_counted for m in self.members):
            raise InvalidFacts("至少要有一名计入家庭的成员", field="members")


# --- builders -------------------------------------------------------------------------------


def _sub(cls, data, path: str, **fixed):
    """``cls(**data)`` with unknown keys refused and errors re-pointed at ``path``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidFacts(f"{path} 应为对象", field=path)
    names = {f.name for f in fields(cls)}
    unknown = [k for k in data if k not in names]
    if unknown:
        raise InvalidFacts(f"未知字段 {unknown[0]}", field=f"{path}.{unknown[0]}")
    try:
        return cls(**{**data, **fixed})
    except InvalidFacts as exc:
        raise InvalidFacts(exc.message, field=f"{path}.{exc.field}" if exc.field else path) from None
    except ValidationFailed as exc:  # ID numbers
        raise InvalidFacts(exc.message, field=f"{path}.{exc.field}", code=exc.code) from None
    except TypeError as exc:
        raise InvalidFacts(f"{path}: {exc}", field=path) from None


def _date_field(data: dict, key: str, path: str):
    raw = data.get(key)
    if raw is None or isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidFacts(f"应为日期 YYYY-MM-DD，实为 {raw!r}", field=f"{path}.{key}") from None


def from_dict(data: dict, *, path: str = "household") -> HouseholdFacts:
    """Build facts from the API's JSON shape (docs/rules.md, "Input"); raises ``InvalidFacts``
    (422) naming the field, e.g. ``household.members.1.id_number``."""
    if not isinstance(data, dict):
        raise InvalidFacts("household 应为对象", field=path)
    data = dict(data)
    members = []
    raw_members = data.pop("members", None)
    if not isinstance(raw_members, list) or not raw_members:
        raise InvalidFacts("家庭至少要有一名成员", field=f"{path}.members")
    for i, m in enumerate(raw_members):
        mp = f"{path}.members.{i}"
        if not isinstance(m, dict):
            raise InvalidFacts("成员应为对象", field=mp)
        m = dict(m)
        income = _sub(Income, m.pop("income", None), f"{mp}.income")
        m["birth_date"] = _date_field(m, "birth_date", mp)
        members.append(_sub(MemberFacts, m, mp, income=income))
    assets = dict(data.pop("assets", None) or {})
    ap = f"{path}.assets"
    if "financial_assets" in assets:  # the API's name for it
        assets["financial"] = assets.pop("financial_assets")
    vehicles = tuple(
        _sub(Vehicle, v, f"{ap}.vehicles.{j}") for j, v in enumerate(assets.pop("vehicles", None) or [])
    )
    houses = tuple(_sub(House, h, f"{ap}.houses.{j}") for j, h in enumerate(assets.pop("houses", None) or []))
    built = {"assets": _sub(Assets, assets, ap, vehicles=vehicles, houses=houses)}
    status = dict(data.pop("dibao_status", None) or {})
    status["income_rose_on"] = _date_field(status, "income_rose_on", f"{path}.dibao_status")
    built["dibao_status"] = _sub(DibaoStatus, status, f"{path}.dibao_status")
    if data.get("temporary") is not None:
        need = dict(data.pop("temporary"))
        need["last_same_cause_on"] = _date_field(need, "last_same_cause_on", f"{path}.temporary")
        built["temporary"] = _sub(TemporaryNeed, need, f"{path}.temporary")
    data.pop("temporary", None)
    if data.get("disaster") is not None:
        built["disaster"] = _sub(DisasterFacts, data.pop("disaster"), f"{path}.disaster")
    data.pop("disaster", None)
    if "rigid_expenditure" in data:
        built["rigid_expenditure"] = _sub(
            RigidExpenditure, data.pop("rigid_expenditure"), f"{path}.rigid_expenditure"
        )
    return _sub(HouseholdFacts, data, path, members=tuple(members), **built)


# Registry income kinds -> the rules' income items (registry.models.IncomeItem.Kind.choices).
_INCOME_KINDS = {
    "wages": "wages",
    "business": "business",
    "property": "property",
    "transfer": "transfer",
    "pension_basic": "pension_basic",
    "special_care": "excluded",
    "family_planning": "excluded",
    "award": "excluded",
    "assistance": "excluded",
}


# Member facts a programme area keeps (``jiuzhu.registry.programme_facts``): consecutive refusals
# of suitable work, employed through an offer (the employment unit's; ``from_registry`` takes
# these two over the registry's own), and the medical assistance the platform paid this year
# (the medical unit's settlements and grants; the registry reader counts at least that).
PROGRAMME_FACTS = ("work_refusals", "employed", "medical_paid_this_year")
# of these, the figures a fact typed at the window may raise but never lower
AT_LEAST_FACTS = ("medical_paid_this_year",)


def from_registry(household, on: date, *, in_support=frozenset(), programme=None) -> HouseholdFacts | None:
    """Facts of a registry ``Household`` as of ``on`` (duck-typed: reads attributes only), or
    ``None`` when no member is alive and born by then (nothing to assess). Deceased members
    are left out; incomes whose period overlaps the 12 months before ``on`` are summed by
    item; assets are the household's recorded ones; ``in_support`` holds the ids of the
    members already in extreme-poverty support (the decisions app knows them); ``programme``
    maps a member's id to the programme facts kept elsewhere (``PROGRAMME_FACTS``: the
    employment unit's refusals count and employment outcome)."""
    since = on - timedelta(days=365)
    members = []
    for p in household.members.all().order_by("id"):
        if getattr(p, "deceased_on", None) and p.deceased_on <= on:
            continue
        if p.birth_date > on:
            continue
        items = {
            k: Decimal(0) for k in ("wages", "business", "property", "transfer", "pension_basic", "excluded")
        }
        for inc in p.incomes.all():
            if inc.period_end >= since and inc.period_start <= on:
                items[_INCOME_KINDS.get(inc.kind, "transfer")] += Decimal(inc.monthly_amount)
        grade = p.disability_grade if p.disability_kind and p.disability_grade in (1, 2, 3, 4) else None
        kept = {k: v for k, v in ((programme or {}).get(p.pk) or {}).items() if k in PROGRAMME_FACTS}
        members.append(
            MemberFacts(
                relation=p.relation if p.relation in RELATIONS else "other",
                birth_date=p.birth_date,
                gender=p.gender if p.gender in GENDERS else None,
                labour_capacity=p.labour_capacity,
                disability_kind=p.disability_kind if grade else "",
                disability_grade=grade,
                serious_illness=bool(p.serious_illness),
                self_care=p.self_care,
                school_stage=p.school_stage or "",
                employed=p.employment_status in ("employed", "flexible") or bool(kept.get("employed")),
                work_refusals=int(kept.get("work_refusals", 0)),
                income=Income(**items),
                has_capable_supporter=bool(p.has_capable_supporter),
                in_tekun_support=p.pk in in_support,
            )
        )
    if not members:
        return None
    financial, business = Decimal(0), Decimal(0)
    vehicles, houses = [], []
    for a in household.assets.all():
        if a.kind == "financial":
            financial += Decimal(a.value)
        elif a.kind == "vehicle":
            purpose = a.vehicle_purpose if a.vehicle_purpose in VEHICLE_PURPOSES else "other"
            vehicles.append(Vehicle(value=Decimal(a.value), purpose=purpose))
        elif a.kind == "house":
            houses.append(House(floor_area=Decimal(a.floor_area or 0)))
        elif a.kind == "business":
            business = max(business, Decimal(a.value))
    dwelling = getattr(household, "dwelling_area", None)
    return HouseholdFacts(
        area=household.area,
        members=tuple(members),
        assets=Assets(
            financial=financial,
            vehicles=tuple(vehicles),
            houses=tuple(houses),
            business_capital=business,
            current_floor_area=None if dwelling is None else Decimal(dwelling),
        ),
    )


def with_members(facts: HouseholdFacts, *members: MemberFacts) -> HouseholdFacts:
    """A copy of ``facts`` with other members (handy in tests and what-if screens)."""
    return replace(facts, members=tuple(members))
