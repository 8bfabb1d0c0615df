"""Programme facts over the API (mounted on the registry router, /api/registry/): record one
(a new dated row; the earlier ones stay as history) and list a household's, newest first."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from ninja import Field, Query, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS

from . import programme, programme_read, selectors
from .api import router
from .models import ProgrammeFact


def _fields_doc() -> str:
    return "；".join(
        f"{kind}（{programme.KIND_LABELS[kind]}）: "
        + "、".join(f"{n}={spec[0]}" for n, spec in fields.items())
        for kind, fields in programme.FIELDS.items()
    )


class FactIn(Schema):
    kind: str | None = Field(
        None, description="类别：" + "；".join(f"{k}={v}" for k, v in ProgrammeFact.Kind.choices)
    )
    data: dict = Field(default_factory=dict, description="该类别的字段（金额用字符串）：" + _fields_doc())
    effective_on: date | None = Field(None, description="信息日期（不晚于今天，默认今天）")
    person_id_number: str | None = Field(
        None, description="成员身份证号码：医疗费用、供养方式、孤儿、自理能力评估、大学录取必填"
    )


class FactOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective_on: date
    member: str
    data: dict
    shown: list[tuple[str, str]]
    current: bool = Field(description="政策规则当前读取的一条")
    recorded_by: str
    recorded_at: str


def _out(fact, role, current: set[int]) -> dict:
    out = programme.fact_view(fact, role, current=fact.pk in current)
    out["recorded_at"] = out["recorded_at"].isoformat()
    return out


@router.post("/households/{code}/facts", response={201: FactOut, **ERRORS}, summary="登记救助事项信息")
def record_fact(request, code: str, payload: FactIn):
    """受灾情况、临时困难、医疗费用、供养方式、孤儿身份、自理能力评估、刚性支出、
    居住状况、大学录取（工作介绍及答复由就业救助登记）：每次登记新增一条带日期的记录，原有记录保留为历史，政策规则读取日期不晚于
    评估日的最新一条。任何一处错误（``field`` 如 ``data.amount``）都不写入。范围
    ``household.write``。"""
    household = selectors.get_household(code)
    person = None
    if payload.person_id_number:
        try:
            person = selectors.get_person(payload.person_id_number)
        except JiuzhuError as exc:
            exc.field = "person_id_number"
            raise
    try:
        fact = programme.fact_record(
            actor=request.auth,
            household=household,
            kind=payload.kind or "",
            data=payload.data,
            effective_on=payload.effective_on,
            person=person,
        )
    except JiuzhuError as exc:
        if exc.field == "person":
            exc.field = "person_id_number"
        raise
    current = programme_read.current_ids(household.pk, clock.today())
    return Status(201, _out(fact, role_of(request.auth), current))


@router.get("/households/{code}/facts", response={200: list[FactOut], **ERRORS}, summary="救助事项信息及历史")
def list_facts(request, code: str, kind: str | None = Query(None, description="只看此类别")):
    """全部记录，最新的在前；``current`` 标出政策规则今天读取的记录。范围 ``household.read``，
    每次读取记入查看日志；医疗费用和自理能力评估按角色隐藏。"""
    with transaction.atomic():
        household = selectors.get_household(code)
        facts = programme.history(actor=request.auth, household=household, kind=kind)
    current = programme_read.current_ids(household.pk, clock.today())
    role = role_of(request.auth)
    return [_out(f, role, current) for f in facts]
