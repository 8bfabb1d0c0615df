"""Public eligibility pre-check, mounted at ``POST /api/eligibility/evaluate``.

Stateless: the household posted is assessed with the city's rules as of the date asked and
nothing is stored or logged. No log-in. Invalid bodies come back 422 as ``{"code", "field",
"message"}`` (e.g. ``field: "household.members.0.id_number"``). Money is a string with two
decimals ("1234.00"); ``amount_period`` says what it is per: month, year (school year),
once, or null (in kind, a recognition, or set by need)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.schemas import ErrorOut

from . import facts as F
from .parameters import PolicyLookupError
from .rules import evaluate
from .selectors import current_policy

PREFIX = "/eligibility"
router = Router(tags=["eligibility 救助资格预审"])

# An amount in yuan: not negative, at most 14 digits with 2 decimals.
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


# ``Literal[F.RELATIONS]`` and the like: the choices are the facts' own code tuples (one
# declaration), which Python unpacks into a Literal at run time and mypy cannot follow. A nested
# schema as ``default_factory`` is a pydantic idiom its stubs type as ``Callable[[], Never]``.


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class IncomeIn(_In):
    """月均收入（元，近12个月平均）。"""

    wages: Money = Field(Decimal(0), description="工资性收入（就业成员自动扣除就业成本）")
    business: Money = Field(Decimal(0), description="家庭经营净收入")
    property: Money = Field(Decimal(0), description="财产净收入")
    transfer: Money = Field(Decimal(0), description="转移净收入（赡养费、养老金等）")
    pension_basic: Money = Field(
        Decimal(0), description="城乡居民基本养老保险基础养老金（按政策参数计入或不计入）"
    )
    excluded: Money = Field(
        Decimal(0), description="不计入的收入：优待抚恤金、计生奖扶、奖学金、见义勇为奖励、救助金"
    )


class MemberIn(_In):
    relation: Literal[F.RELATIONS] = Field("head", description="与户主关系")  # type: ignore[valid-type]
    id_number: str | None = Field(None, description="身份证号码；给出时出生日期和性别取自号码（须校验通过）")
    birth_date: date | None = Field(None, description="无身份证号码时的出生日期")
    age: int | None = Field(None, ge=0, le=130, description="既无号码也无出生日期时：评估日的周岁年龄")
    gender: Literal[F.GENDERS] | None = None  # type: ignore[valid-type]
    labour_capacity: Literal[F.LABOUR] = Field("full", description="劳动能力：full/partial/none")  # type: ignore[valid-type]
    disability_kind: Literal[F.DISABILITY_KINDS] = Field("", description="残疾类别，空为无残疾")  # type: ignore[valid-type]
    disability_grade: int | None = Field(None, ge=1, le=4, description="残疾等级 1–4")
    serious_illness: bool = Field(False, description="患重特大疾病")
    self_care: Literal[F.SELF_CARE] = Field("full", description="生活自理能力：full/partial/none")  # type: ignore[valid-type]
    self_care_items_failed: int | None = Field(
        None, ge=0, le=6, description="六项日常生活活动中不能完成的项数"
    )
    school_stage: Literal[F.SCHOOL_STAGES] = Field("", description="在学阶段，空为不在学")  # type: ignore[valid-type]
    university_entrant: bool = Field(False, description="大学新生")
    employed: bool = Field(False, description="就业（含灵活就业）")
    income: IncomeIn = Field(default_factory=IncomeIn)  # type: ignore[arg-type]
    has_capable_supporter: bool = Field(True, description="有具备赡养、抚养、扶养能力的法定义务人")
    supporter_unable: Literal[F.SUPPORTER_UNABLE] | None = Field(None, description="义务人无能力的情形")  # type: ignore[valid-type]
    not_counted: Literal[F.NOT_COUNTED] | None = Field(None, description="不计入家庭成员的情形（服刑等）")  # type: ignore[valid-type]
    work_refusals: int = Field(0, ge=0, le=99, description="无正当理由连续拒绝介绍工作的次数")
    tekun_mode: Literal[F.TEKUN_MODES] = Field(  # type: ignore[valid-type]
        "dispersed", description="特困供养形式：dispersed 分散 / institutional 集中"
    )
    in_tekun_support: bool = Field(False, description="已在特困供养")
    orphan_support: bool = Field(False, description="已选择孤儿基本生活保障")
    out_of_pocket: Money = Field(Decimal(0), description="经基本医保、大病保险后政策范围内自付医疗费用")
    medical_paid_this_year: Money = Field(Decimal(0), description="本年度已获医疗救助金额")
    emergency_unpaid: bool = Field(False, description="急救但身份不明或无力支付")


class VehicleIn(_In):
    value: Money = Field(...)
    purpose: Literal[F.VEHICLE_PURPOSES] = Field(  # type: ignore[valid-type]
        "other", description="disability 残疾人代步 / livelihood 维持生计 / other"
    )


class HouseIn(_In):
    floor_area: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2, description="建筑面积（㎡）")


class AssetsIn(_In):
    financial_assets: Money = Field(Decimal(0), description="金融资产合计（存款、理财、证券、保险现金价值）")
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=20)
    houses: list[HouseIn] = Field(default_factory=list, max_length=20, description="名下全部住房（含现住房）")
    business_capital: Money = Field(Decimal(0), description="工商登记注册资本（最大一户）")
    current_floor_area: Decimal | None = Field(
        None, ge=0, max_digits=10, decimal_places=2, description="现住房建筑面积（㎡）"
    )


class DibaoStatusIn(_In):
    receiving: bool = Field(False, description="正在享受低保")
    monthly_amount: Money | None = Field(None)
    income_rose_on: date | None = Field(None, description="因就业收入达到低保标准的日期")
    rose_through_employment: bool = False


class TemporaryIn(_In):
    kind: Literal[F.NEED_KINDS] = Field(..., description="emergency 急难型 / expenditure 支出型")  # type: ignore[valid-type]
    cause: str = Field("", max_length=40)
    amount: Money = Field(..., description="所需金额")
    last_same_cause_on: date | None = Field(None, description="同一原因上次获临时救助的日期")


class DisasterIn(_In):
    persons: int = Field(0, ge=0, le=100_000)
    days: int = Field(0, ge=0, le=100_000)
    house_destroyed: bool = False
    winter_hardship: bool = False


class RigidIn(_In):
    medical: Money = Field(Decimal(0))
    education: Money = Field(Decimal(0))
    rehabilitation: Money = Field(Decimal(0))


class HouseholdIn(_In):
    area: Literal[F.AREAS] = Field(..., description="urban 城市 / rural 农村")  # type: ignore[valid-type]
    members: list[MemberIn] = Field(..., min_length=1, max_length=30)
    assets: AssetsIn = Field(default_factory=AssetsIn)  # type: ignore[arg-type]
    dibao_status: DibaoStatusIn = Field(default_factory=DibaoStatusIn)  # type: ignore[arg-type]
    temporary: TemporaryIn | None = None
    disaster: DisasterIn | None = None
    rigid_expenditure: RigidIn = Field(default_factory=RigidIn, description="近12个月医疗、教育、康复支出")  # type: ignore[arg-type]
    dwelling_unsafe: bool = Field(False, description="现住房经鉴定为危房")
    homeless: bool = Field(False, description="生活无着的流浪、乞讨人员")


EXAMPLE: dict[str, Any] = {
    "as_of": "2026-03-01",
    "household": {
        "area": "urban",
        "members": [
            {
                "relation": "head",
                "id_number": "329901198001010011",
                "employed": True,
                "income": {"wages": "1500.00"},
            },
            {"relation": "child", "birth_date": "2015-09-01", "school_stage": "primary"},
            {"relation": "parent", "age": 72, "income": {"excluded": "300.00"}},
        ],
        "assets": {
            "financial_assets": "10000.00",
            "vehicles": [],
            "houses": [{"floor_area": "30.00"}],
            "business_capital": "0",
            "current_floor_area": "30.00",
        },
    },
}


class EvaluateIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    as_of: date = Field(..., description="评估日：按该日有效的政策参数（标准）计算")
    household: HouseholdIn
    services: list[str] | None = Field(None, description="只预审这些事项（代码）；默认全部")


class ReasonOut(Schema):
    rule: str = Field(..., examples=["dibao.income"])
    basis: str = Field(..., examples=["社会救助暂行办法 第九条"])
    passed: bool
    detail: str = Field(
        ..., examples=["家庭人均月收入 ¥400.00（3 人合计 ¥1,200.00）< 低保标准 ¥950.00（城市）"]
    )


class ResultOut(Schema):
    service: str = Field(..., examples=["dibao"])
    name: str = Field(..., examples=["最低生活保障"])
    category: str = Field(..., examples=["minimum_living"])
    eligible: bool
    monthly_amount: str | None = Field(..., examples=["1840.00"], description="金额；周期见 amount_period")
    amount_period: Literal["month", "year", "once"] | None = Field(..., examples=["month"])
    reasons: list[ReasonOut]
    members: list[int] = Field(..., description="结果涉及的成员（members 中的序号，从 0 起）")


class EvaluateOut(Schema):
    as_of: date
    results: list[ResultOut]


def _out(r) -> dict:
    return {
        "service": r.service,
        "name": r.name,
        "category": r.category,
        "eligible": r.eligible,
        "monthly_amount": None if r.monthly_amount is None else f"{r.monthly_amount:.2f}",
        "amount_period": r.amount_period,
        "reasons": [
            {"rule": x.rule, "basis": x.basis, "passed": x.passed, "detail": x.detail} for x in r.reasons
        ],
        "members": list(r.members),
    }


@router.post(
    "/evaluate",
    auth=None,
    response={200: EvaluateOut, 422: ErrorOut},
    summary="救助资格预审（不保存任何信息）",
)
def evaluate_household(request, payload: EvaluateIn):
    """Pre-check every service (or those listed) for the household posted, with the rules and
    standards in force on ``as_of``. Each result lists the criteria checked with the figures
    compared and the legal basis. Nothing is stored."""
    policy = current_policy()
    facts = F.from_dict(payload.household.model_dump(), path="household")
    try:
        results = evaluate(facts, payload.as_of, policy, payload.services)
    except PolicyLookupError as exc:
        field = "services" if exc.code == "unknown_service" else "as_of"
        raise F.InvalidFacts(exc.message, field=field, code=exc.code) from None
    except JiuzhuError:
        raise
    return {"as_of": payload.as_of, "results": [_out(r) for r in results]}
