"""Registry JSON API, mounted at /api/registry/. Thin: check the role, call one selector or
service, shape the output (masked for the caller's role by the selectors' read models).

Fields the services validate are optional in the schemas on purpose: a missing name then
comes back as ``{"code": "required", "field": "members[0].name"}`` from the same rule the
screens use, not as a schema error with another code.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import scope
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access

from . import selectors, services
from .models import Asset, Household, IncomeItem, Person

router = Router(tags=["registry 家庭与人员"])


def _choices(choices) -> str:
    return "；".join(f"{k or '（空）'}={v}" for k, v in choices)


# --- schemas --------------------------------------------------------------------------------


# 400 rule broken, 401 not logged in, 403 role not allowed, 404 unknown, 409 lost a race,


class MemberIn(Schema):
    name: str | None = Field(None, description="姓名（必填）", examples=["张三"])
    id_number: str | None = Field(
        None,
        description="身份证号码（必填）：18位（末位可为X），或15位（自动升为18位）",
        examples=["329901197005010014"],
    )
    relation: str | None = Field(
        None, description="与户主关系：" + _choices(Person.Relation.choices), examples=["head"]
    )
    birth_date: date | None = Field(None, description="出生日期，可不填；填写时须与身份证号码一致")
    gender: str | None = Field(None, description="性别 M/F，可不填；填写时须与身份证号码一致")
    phone: str | None = Field(None, examples=["13800000000"])
    labour_capacity: str | None = Field(
        None, description="劳动能力：" + _choices(Person.LabourCapacity.choices)
    )
    disability_kind: str | None = Field(
        None, description="残疾类别：" + _choices(Person.DisabilityKind.choices)
    )
    disability_grade: int | None = Field(None, description="残疾等级 1–4")
    serious_illness: str | None = Field(None, description="重特大疾病（病种）")
    self_care: str | None = Field(None, description="生活自理能力：" + _choices(Person.SelfCare.choices))
    school_stage: str | None = Field(None, description="在学阶段：" + _choices(Person.SchoolStage.choices))
    employment_status: str | None = Field(
        None, description="就业状况：" + _choices(Person.EmploymentStatus.choices)
    )
    has_capable_supporter: bool = Field(True, description="有具备赡养扶养抚养能力的法定义务人")


class MemberPatch(Schema):
    """只修改请求中出现的字段。身份证号码（及由其确定的出生日期、性别）不可修改：号码登记错误
    即是另一个人，应移除后重新登记。"""

    name: str | None = Field(None, examples=["张叁"])
    relation: str | None = None
    phone: str | None = None
    labour_capacity: str | None = None
    disability_kind: str | None = None
    disability_grade: int | None = None
    serious_illness: str | None = None
    self_care: str | None = None
    school_stage: str | None = None
    employment_status: str | None = Field(None, examples=["employed"])
    has_capable_supporter: bool | None = None


class HouseholdFields(Schema):
    town: str | None = Field(
        None, description="户籍镇街的单位代码（见 GET /units）", examples=["town_chengdong"]
    )
    community: str | None = Field(None, description="村（社区）", examples=["幸福社区"])
    division_code: str | None = Field(
        None, description="户籍行政区划代码（6、9或12位）", examples=["329901001"]
    )
    area: str | None = Field(
        None, description="城乡：" + _choices(Household.Area.choices), examples=["urban"]
    )
    address: str | None = Field(None, description="居住地址", examples=["示范市城东街道幸福路1号"])
    phone: str | None = Field(None, examples=["0571-88888888"])
    dwelling_area: str | None = Field(None, description="现住房建筑面积（㎡），字符串", examples=["45.50"])


class HouseholdIn(HouseholdFields):
    members: list[MemberIn] = Field(default_factory=list, description="家庭成员，有且只有一名户主")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "town": "town_chengdong",
                    "community": "幸福社区",
                    "division_code": "329901001",
                    "area": "urban",
                    "address": "示范市城东街道幸福路1号",
                    "members": [
                        {"name": "张三", "id_number": "329901197005010014", "relation": "head"},
                        {"name": "李梅", "id_number": "329901197208150025", "relation": "spouse"},
                    ],
                }
            ]
        }
    }


class IncomeIn(Schema):
    kind: str = Field(..., description="收入类别：" + _choices(IncomeItem.Kind.choices), examples=["wages"])
    monthly_amount: str = Field(..., description="月均金额（元），字符串", examples=["2300.00"])
    period_start: date = Field(..., examples=["2025-01-01"])
    period_end: date = Field(..., examples=["2025-12-31"])
    source: str = Field("self_declared", description="来源（申报或数据来源单位）")
    note: str = ""


class AssetIn(Schema):
    kind: str = Field(..., description="资产类别：" + _choices(Asset.Kind.choices), examples=["house"])
    value: str = Field(..., description="价值/金额（元），字符串", examples=["0"])
    as_of: date = Field(..., description="数据日期", examples=["2026-01-01"])
    person_id_number: str | None = Field(None, description="所属成员的身份证号码（可不填）")
    floor_area: str | None = Field(None, description="建筑面积（㎡），房产必填", examples=["62.00"])
    vehicle_purpose: str = Field("", description="车辆用途：" + _choices(Asset.VehiclePurpose.choices))
    source: str = "self_declared"
    description: str = ""


class IncomeOut(Schema):
    id: int
    kind: str
    kind_display: str
    monthly_amount: str = Field(..., description="月均金额（元）；无权查看时为 ***", examples=["2300.00"])
    source: str
    period_start: date
    period_end: date
    note: str


class MemberOut(Schema):
    id: int
    id_number: str = Field(
        ..., description="按角色脱敏，如 3299**********0014", examples=["3299**********0014"]
    )
    name: str
    relation: str
    relation_display: str
    gender: str
    birth_date: date | None = Field(None, description="仅对可查看完整身份证号码的角色返回")
    age: int
    phone: str
    labour_capacity: str
    disability_kind: str
    disability_grade: str | None = Field(None, description="残疾等级；无权查看时为 ***")
    serious_illness: str
    self_care: str
    school_stage: str
    employment_status: str
    has_capable_supporter: bool
    deceased_on: date | None
    incomes: list[IncomeOut]


class AssetOut(Schema):
    id: int
    kind: str
    kind_display: str
    value: str = Field(..., description="金额（元）；无权查看时为 ***", examples=["0.00"])
    floor_area: str | None
    vehicle_purpose: str
    person_id_number: str | None
    person_name: str | None
    source: str
    as_of: date
    description: str


class HouseholdOut(Schema):
    code: str = Field(..., examples=["H329901001000001"])
    town: str
    town_name: str
    community: str
    division_code: str
    area: str
    address: str
    phone: str
    dwelling_area: str | None
    members: list[MemberOut]
    assets: list[AssetOut]


class MatchOut(Schema):
    name: str
    id_number: str
    relation: str


class HouseholdSummaryOut(Schema):
    code: str
    town: str
    town_name: str
    community: str
    area: str
    head_name: str | None
    member_count: int
    matched: list[MatchOut] = Field(..., description="查询命中的成员（按家庭编号查询时为空）")
    in_scope: bool = Field(
        ..., description="调用者可否打开该家庭；否（外镇街窗口按身份证号码查找）时全部脱敏"
    )


class SearchOut(Schema):
    query: str
    mode: str = Field(..., description="id_number | household_code | name | empty")
    truncated: bool = Field(..., description="结果超过上限，请输入更完整的姓名")
    results: list[HouseholdSummaryOut]


class ChangeOut(Schema):
    field: str
    label: str
    old: str | None
    new: str | None


class HistoryEntryOut(Schema):
    at: str
    user: str
    object_type: str
    object_label: str
    action: str
    changes: list[ChangeOut]


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    division_code: str
    parent: str | None
    is_conference_member: bool
    is_data_source: bool
    duties: str


# --- endpoints ------------------------------------------------------------------------------


def _detail(request, code: str, *, purpose: str) -> dict:
    """The household as the caller may see it, if in his scope; the read is logged in the
    same transaction."""
    with transaction.atomic():
        household = selectors.household_for(request.auth, code, purpose=purpose)
        return selectors.household_view(household, role_of(request.auth))


@router.get("/households", response={200: SearchOut, **ERRORS}, summary="查找家庭")
def search_households(
    request, q: str = Query(..., description="身份证号码（18位或15位）、家庭编号或姓名开头")
):
    """按成员身份证号码（精确，15位自动升为18位）、家庭编号（精确）查找；否则按姓名开头查找
    （最多命中50人，按姓名排序）。家庭编号和姓名只查到调用者范围内的家庭；完整身份证号码
    在任何窗口都能查到（一门受理），范围外的家庭全部脱敏（``in_scope`` 为否）。
    每次查找记入查看日志。"""
    result = selectors.household_search(q, request.auth)
    role = role_of(request.auth)
    log_access(user=request.auth, action="search", object_type="household_search", object_id=q.strip()[:60])
    return {
        "query": result.query,
        "mode": result.mode,
        "truncated": result.truncated,
        "results": [selectors.household_summary(h, role) for h in result.households],
    }


@router.post("/households", response={201: HouseholdOut, **ERRORS}, summary="登记家庭及成员")
def create_household(request, payload: HouseholdIn):
    """全部校验通过才写入；任何一处错误都不写入任何内容。错误的 ``field`` 指明成员，
    如 ``members[1].id_number``。仅一门受理窗口、镇街社会救助经办、系统管理员可调用。"""
    scope.require(request.auth, "household.register")
    data = payload.model_dump(exclude={"members"}, exclude_unset=True)
    members = [mb.model_dump() for mb in payload.members]
    household = services.household_create(actor=request.auth, data=data, members=members)
    return Status(
        201, selectors.household_view(selectors.household_detail(household.code), role_of(request.auth))
    )


@router.get("/households/{code}", response={200: HouseholdOut, **ERRORS}, summary="家庭详情")
def get_household(request, code: str):
    """成员、收入、资产，按调用者角色脱敏。只能查看本人范围内的家庭（范围表
    ``household.read``；越权为 403 ``out_of_scope``）。每次读取记入查看日志。"""
    return _detail(request, code, purpose="api")


@router.patch("/households/{code}", response={200: HouseholdOut, **ERRORS}, summary="修改家庭信息")
def update_household(request, code: str, payload: HouseholdFields):
    """只修改请求中出现的字段。只能修改本镇街的家庭（``household.write``）。"""
    household = selectors.get_household(code)
    selectors.refuse_direct_edit(household)
    services.household_update(
        actor=request.auth, household=household, data=payload.model_dump(exclude_unset=True)
    )
    return _detail(request, code, purpose="api:update")


@router.get("/households/{code}/history", response={200: list[HistoryEntryOut], **ERRORS}, summary="变更记录")
def household_history(request, code: str):
    """家庭、成员、收入、资产的全部变更（谁、何时、字段由何值改为何值），最新的在前。"""
    with transaction.atomic():
        household = selectors.get_household(code)
        scope.read(
            request.auth,
            "household.read",
            household=household,
            object_type="household_history",
            purpose="api",
        )
        entries = selectors.household_history(household, role=role_of(request.auth))
    return [
        {
            "at": e.at.isoformat(),
            "user": e.user,
            "object_type": e.object_type,
            "object_label": e.object_label,
            "action": e.action,
            "changes": [c.__dict__ for c in e.changes],
        }
        for e in entries
    ]


def _single_member_field(exc: JiuzhuError) -> JiuzhuError:
    # The service names the lone new member "member[0]"; an API caller sent one object.
    if exc.field and exc.field.startswith("member[0]."):
        exc.field = exc.field.removeprefix("member[0].")
    return exc


@router.post("/households/{code}/members", response={201: MemberOut, **ERRORS}, summary="增加家庭成员")
def add_member(request, code: str, payload: MemberIn):
    """校验规则与登记家庭相同；一人只能属于一个家庭（person_in_other_household）。"""
    selectors.ensure_can_write(request.auth)
    household = selectors.get_household(code)
    selectors.refuse_direct_edit(household)
    try:
        person = services.member_add(actor=request.auth, household=household, data=payload.model_dump())
    except JiuzhuError as exc:
        raise _single_member_field(exc) from None
    return Status(201, selectors.member_view(person, role_of(request.auth)))


@router.patch("/persons/{id_number}", response={200: MemberOut, **ERRORS}, summary="修改成员信息")
def update_person(request, id_number: str, payload: MemberPatch):
    """按身份证号码（18位或15位）定位成员，只修改请求中出现的字段。"""
    selectors.ensure_can_write(request.auth)
    person = selectors.get_person(id_number)
    selectors.refuse_direct_edit(person.household)
    person = services.member_update(
        actor=request.auth, person=person, data=payload.model_dump(exclude_unset=True)
    )
    return selectors.member_view(person, role_of(request.auth))


@router.post("/persons/{id_number}/incomes", response={201: IncomeOut, **ERRORS}, summary="登记收入")
def add_income(request, id_number: str, payload: IncomeIn):
    """一项收入的月均金额（字符串，元，两位小数）及其统计期。是否计入家庭收入由政策规则判断。"""
    selectors.ensure_can_write(request.auth)
    person = selectors.get_person(id_number)
    selectors.refuse_direct_edit(person.household)
    item = services.income_add(actor=request.auth, person=person, **payload.model_dump())
    return Status(201, selectors.income_view(item, role_of(request.auth)))


@router.post("/households/{code}/assets", response={201: AssetOut, **ERRORS}, summary="登记资产")
def add_asset(request, code: str, payload: AssetIn):
    """家庭或其某一成员的资产；房产须填建筑面积。"""
    selectors.ensure_can_write(request.auth)
    household = selectors.get_household(code)
    selectors.refuse_direct_edit(household)
    data = payload.model_dump()
    owner = data.pop("person_id_number")
    person = None
    if owner:
        try:
            person = selectors.get_person(owner)
        except JiuzhuError as exc:
            exc.field = "person_id_number"
            raise
    try:
        asset = services.asset_add(actor=request.auth, household=household, person=person, **data)
    except JiuzhuError as exc:
        if exc.field == "person":
            exc.field = "person_id_number"
        raise
    return Status(201, selectors.asset_view(asset, role_of(request.auth)))


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="单位列表")
def list_units(request, kind: str | None = Query(None, description="town（镇街）或 department（部门）")):
    """联席会议成员单位（镇街与部门）。所有已登录工作人员可查。"""
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "division_code": u.division_code,
            "parent": u.parent.code if u.parent else None,
            "is_conference_member": u.is_conference_member,
            "is_data_source": u.is_data_source,
            "duties": u.duties,
        }
        for u in selectors.units(kind=kind)
    ]


from . import api_facts  # noqa: E402, F401  (programme facts endpoints on this router)
