"""The supervisor's audit view: the append-only access log (``common.AccessLog``) and the change
history of every model kept with django-simple-history (found generically, so areas added later
are searched too), searchable by person (ID number or name), household, unit, staff user name
and date range; exported to Excel. A search that names a person or household, and every
export, is itself written to the access log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalChanges

from jiuzhu.common import clock, jobs
from jiuzhu.common import masking as m
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.labels import label, moment
from jiuzhu.common.models import AccessLog, Job
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.registry.models import Household, Person, Unit, User

from . import access

LIMIT = 500
ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}
ACCESS_ACTIONS = {"view": "查阅", "export": "导出", "search": "查询", "serve": "提供"}
# Which masking kind applies to a changed field, by field name.
FIELD_KINDS = {
    "id_number": "id_number",
    "name": "name",
    "complainant_name": "name",
    "requester_name": "name",
    "phone": "phone",
    "requester_phone": "phone",
    "complainant_phone": "phone",
    "address": "address",
    "monthly_amount": "income",
    "bank_account": "bank_account",
    "account_number": "bank_account",
    "serious_illness": "health",
    "disability_kind": "disability",
    "disability_grade": "disability",
}


@dataclass
class Criteria:
    id_number: str = ""
    name: str = ""
    household: str = ""
    unit: str = ""
    username: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def names_subject(self) -> bool:
        return bool(self.id_number or self.name or self.household)

    @property
    def empty(self) -> bool:
        return not (self.names_subject or self.unit or self.username or self.start or self.end)

    def describe(self) -> str:
        parts = [
            f"身份证={self.id_number}" if self.id_number else "",
            f"姓名={self.name}" if self.name else "",
            f"家庭={self.household}" if self.household else "",
            f"单位={self.unit}" if self.unit else "",
            f"操作人={self.username}" if self.username else "",
            f"自={self.start}" if self.start else "",
            f"至={self.end}" if self.end else "",
        ]
        return "；".join(p for p in parts if p)


@dataclass
class Result:
    criteria: Criteria
    access: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    households: list[str] = field(default_factory=list)
    truncated: bool = False


def _date(raw, name: str, label: str) -> date | None:
    if isinstance(raw, date) or raw is None:
        return raw
    raw = str(raw).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{label}格式应为 YYYY-MM-DD", field=name, code="invalid_date") from None


def criteria_from(params) -> Criteria:
    """Parse a query dict (GET parameters, API query)."""
    c = Criteria(
        id_number=(params.get("id_number") or "").strip().upper(),
        name=(params.get("name") or "").strip(),
        household=(params.get("household") or "").strip(),
        unit=(params.get("unit") or "").strip(),
        username=(params.get("username") or "").strip(),
        start=_date(params.get("start"), "start", "开始日期"),
        end=_date(params.get("end"), "end", "结束日期"),
    )
    if c.start and c.end and c.end < c.start:
        raise ValidationFailed("结束日期不能早于开始日期", field="end", code="invalid_range")
    if c.unit and not Unit.objects.filter(code=c.unit).exists():
        raise ValidationFailed(f"单位“{c.unit}”不存在", field="unit", code="unknown_unit")
    return c


def history_models() -> list[Any]:
    """Every simple-history model installed (registry, intake, decisions, payments …): the
    historical classes simple_history builds at run time (``instance_type`` is the model each
    one tracks), which the type checker cannot name."""
    return sorted(
        (mdl for mdl in apps.get_models() if issubclass(mdl, HistoricalChanges)),
        key=lambda mdl: mdl._meta.label,
    )


def _subjects(c: Criteria) -> tuple[set[int], set[int]]:
    """(person ids, household ids) named by the criteria, current or past."""
    pq = Q()
    if c.id_number:
        pq &= Q(id_number=c.id_number)
    if c.name:
        pq &= Q(name=c.name)
    pids: set[int] = set()
    hids: set[int] = set()
    if c.id_number or c.name:
        rows = list(Person.history.filter(pq).values_list("id", "household_id"))
        rows += list(Person.objects.filter(pq).values_list("id", "household_id"))
        pids = {r[0] for r in rows}
        hids = {r[1] for r in rows if r[1]}
    if c.household:
        hh = set(Household.objects.filter(code=c.household).values_list("id", flat=True))
        hh |= set(Household.history.filter(code=c.household).values_list("id", flat=True))
        hids = (hids & hh) if (c.id_number or c.name) else hh
        if c.id_number or c.name:
            pids = {
                p
                for p, h in Person.history.filter(id__in=pids).values_list("id", "household_id")
                if h in hids
            }
    return pids, hids


def _bounds(c: Criteria):
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(datetime.combine(c.start, time.min), tz) if c.start else None
    hi = timezone.make_aware(datetime.combine(c.end + timedelta(days=1), time.min), tz) if c.end else None
    return lo, hi


def _fk_fields(model, target) -> list[str]:
    return [
        f.attname
        for f in model._meta.fields
        if f.is_relation and f.related_model is target and not f.name.startswith("history_")
    ]


def _access_rows(c: Criteria, pids, hids, codes, role: str, limit: int) -> list[dict]:
    qs = AccessLog.objects.all()
    if c.names_subject:
        sq = Q(household_code__in=codes) | Q(object_type="household", object_id__in=codes)
        if pids:
            sq |= Q(object_type__in=("person", "registry.person"), object_id__in=[str(p) for p in pids])
        qs = qs.filter(sq)
    if c.unit:
        qs = qs.filter(unit_code=c.unit)
    if c.username:
        qs = qs.filter(username=c.username)
    lo, hi = _bounds(c)
    if lo:
        qs = qs.filter(at__gte=lo)
    if hi:
        qs = qs.filter(at__lt=hi)
    return [
        {
            "at": r.at,
            "username": r.username,
            "role": label("role", r.role),  # words, never codes: the page and the export
            "unit_code": label("unit", r.unit_code),
            "action": ACCESS_ACTIONS.get(r.action) or label("access_action", r.action),
            "object_type": label("object_type", r.object_type),
            "object_id": r.object_id,
            "household_code": r.household_code,
            "purpose": r.purpose,
        }
        for r in qs.order_by("-at", "-id")[:limit]
    ]


def _history_query(model, c: Criteria, pids, hids, unit: Unit | None):
    base = model.instance_type
    q = Q()
    if c.names_subject:
        sq = Q(pk__in=[])
        if base is Household:
            sq |= Q(id__in=hids)
        if base is Person:
            sq |= Q(id__in=pids)
        for name in _fk_fields(model, Household):
            sq |= Q(**{f"{name}__in": hids})
        for name in _fk_fields(model, Person):
            sq |= Q(**{f"{name}__in": pids})
        if sq == Q(pk__in=[]):
            return None
        q &= sq
    if unit is not None:
        uq = Q(history_user__unit=unit)
        if base is Unit:
            uq |= Q(id=unit.pk)
        for name in _fk_fields(model, Unit):
            uq |= Q(**{name: unit.pk})
        q &= uq
    if c.username:
        q &= Q(history_user__username=c.username)
    lo, hi = _bounds(c)
    if lo:
        q &= Q(history_date__gte=lo)
    if hi:
        q &= Q(history_date__lt=hi)
    return model.objects.filter(q)


def _shown(name: str, value, role: str):
    if value is None or value == "":
        return "" if value is None else value
    kind = FIELD_KINDS.get(name) or ("bank_account" if "bank" in name or "account" in name else None)
    return m.present(kind, value, role) if kind else value


def _change_rows(c: Criteria, pids, hids, role: str, limit: int) -> tuple[list[dict], bool]:
    unit = Unit.objects.filter(code=c.unit).first() if c.unit else None
    rows, truncated = [], False
    for model in history_models():
        qs = _history_query(model, c, pids, hids, unit)
        if qs is None:
            continue
        found = list(
            qs.select_related("history_user", "history_user__unit").order_by("-history_date")[: limit + 1]
        )
        if len(found) > limit:
            truncated, found = True, found[:limit]
        for r in found:
            rows.append((model, r))
    rows.sort(key=lambda x: x[1].history_date, reverse=True)
    if len(rows) > limit:
        truncated, rows = True, rows[:limit]
    out = []
    for model, r in rows:
        changes = []
        if r.history_type == "~":
            prev = r.prev_record
            if prev is not None:
                for ch in r.diff_against(prev).changes:
                    changes.append(
                        {
                            "field": _field_words(model.instance_type, ch.field),
                            "old": _shown(ch.field, _choice(model.instance_type, ch.field, ch.old), role),
                            "new": _shown(ch.field, _choice(model.instance_type, ch.field, ch.new), role),
                        }
                    )
        user = r.history_user
        out.append(
            {
                "at": r.history_date,
                "model": str(model.instance_type._meta.verbose_name),
                "label": model.instance_type._meta.label,
                "object_id": r.id,
                "action": ACTIONS.get(r.history_type, r.history_type),
                "username": user.username if user else "系统",
                "unit_code": user.unit.name if user and user.unit_id else "",
                "reason": getattr(r, "history_change_reason", "") or "",
                "changes": changes,
            }
        )
    return out, truncated


# words for the parts of a field name that has no verbose name (approved_at -> 审批时间)
WORDS = {
    "approved": "审批",
    "exported": "导出",
    "returned": "回盘",
    "reviewed": "审核",
    "closed": "办结",
    "decided": "决定",
    "answered": "答复",
    "applied": "应用",
    "moved": "拨动",
    "completed": "补齐",
    "granted": "发放",
    "finished": "完成",
    "started": "开始",
    "received": "受理",
    "sent": "发送",
    "confirmed": "确认",
    "resolved": "处理",
    "paid": "支付",
    "signed": "签批",
    "issued": "出具",
    "chaired": "主持",
    "version": "版本号",
    "export": "导出文件",
    "return": "回盘文件",
    "sha256": "校验值",
    "at": "时间",
    "by": "人",
    "on": "日期",
}


def _field_words(model, name: str) -> str:
    """A changed field as a person reads it: its verbose name, or its name's parts in words."""
    try:
        shown = str(model._meta.get_field(name).verbose_name)
    except Exception:
        shown = name.replace("_", " ")
    if shown != name.replace("_", " "):
        return shown
    return "".join(WORDS.get(part) or label("", part) for part in name.split("_"))


def _choice(model, name: str, value):
    """A value as its words: a choice (a state, a kind) by its label, a related record by its
    name, a time in local minutes; else the value."""
    try:
        f = model._meta.get_field(name)
    except Exception:
        return value
    choices = getattr(f, "flatchoices", None)
    if choices:
        return dict(choices).get(value, value)
    if getattr(f, "many_to_one", False) and value not in (None, ""):
        other = f.related_model.objects.filter(pk=value).first()
        return str(other) if other is not None else value
    if isinstance(value, datetime):
        return moment(value, seconds=True)
    return value


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def search(*, actor: User, criteria: Criteria, limit: int = LIMIT) -> Result:
    """Search both logs. A search naming a person or household is logged (action ``search``)
    in the same transaction as the read."""
    access.ensure_auditor(actor)
    role = role_of(actor)
    with transaction.atomic():
        pids, hids = _subjects(criteria) if criteria.names_subject else (set(), set())
        codes = sorted(Household.objects.filter(id__in=hids).values_list("code", flat=True))
        result = Result(criteria=criteria, households=codes)
        result.access = _access_rows(criteria, pids, hids, codes, role, limit)
        result.changes, result.truncated = _change_rows(criteria, pids, hids, role, limit)
        result.truncated = result.truncated or len(result.access) >= limit
        if criteria.names_subject:
            log_access(
                user=actor,
                action="search",
                object_type="audit.search",
                object_id=(criteria.describe() or "-")[:60],
                household_code=codes[0] if len(codes) == 1 else "",
                purpose="监督审计查询：" + criteria.describe(),
            )
    return result


def export_xlsx(*, actor: User, criteria: Criteria) -> bytes:
    """The search as an Excel workbook (two sheets). The export is logged (action
    ``export``) before the file is handed over."""
    access.ensure_auditor(actor)
    with transaction.atomic():
        result = search(actor=actor, criteria=criteria)
        log_access(
            user=actor,
            action="export",
            object_type="audit.export",
            object_id=(criteria.describe() or "全部")[:60],
            household_code=result.households[0] if len(result.households) == 1 else "",
            purpose="监督审计导出：" + (criteria.describe() or "全部"),
        )
    access_rows = (
        [
            r["at"],
            r["username"],
            r["role"],
            r["unit_code"],
            r["action"],
            r["object_type"],
            r["object_id"],
            r["household_code"],
            r["purpose"],
        ]
        for r in result.access
    )
    change_rows = (
        [
            r["at"],
            r["model"],
            str(r["object_id"]),
            r["action"],
            r["username"],
            r["unit_code"],
            "；".join(f"{ch['field']}：{ch['old']} → {ch['new']}" for ch in r["changes"]),
        ]
        for r in result.changes
    )
    return write_xlsx(
        [
            Sheet(
                "访问日志",
                ["时间", "操作人", "角色", "单位", "操作", "对象类型", "对象", "家庭编号", "用途"],
                access_rows,
                caption=f"访问日志（查询条件：{criteria.describe() or '全部'}）",
            ),
            Sheet("变更记录", ["时间", "数据", "编号", "操作", "操作人", "单位", "变更内容"], change_rows),
        ]
    )


# --- the export as a background job (a large log is not built inside the request) -------------


def _params(criteria: Criteria) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in criteria.__dict__.items() if v}


@transaction.atomic
def export_queue(*, actor: User, criteria: Criteria) -> Job:
    """Queue the Excel export of a search (checked now, built and logged by the worker);
    the finished job links to the file."""
    access.ensure_auditor(actor)
    return jobs.enqueue("supervision.audit_export", actor=actor, criteria=_params(criteria))


@jobs.job("supervision.audit_export", title="审计日志导出")
def export_job(job, *, criteria: dict) -> dict:
    jobs.report(job, done=0, total=1, message="生成 Excel 文件")
    data = export_xlsx(actor=job.actor, criteria=criteria_from(criteria))
    name = f"audit-{clock.today():%Y%m%d}.xlsx"
    return jobs.keep_file(job, name=name, data=data, summary="审计日志已导出，可下载 Excel 文件")
